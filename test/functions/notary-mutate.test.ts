/**
 * `/mutate` end to end: the real handler with the runtime built from POLICY_FILE, a real notary-server with tags
 * signed by the real `notary` client, real AdmissionReview fixtures of every kind. Each patch is applied with the
 * rfc6902 library and the patched object is sent to `/validate`, which must admit it as SIGNED.
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { applyPatch, type Operation } from 'rfc6902';
import { createWebhookHandler } from '../../functions/app';
import { extractImages } from '../../shared/admission/extract';
import { parseAdmissionReview } from '../../shared/admission/parse';
import { runtimeFromEnv } from '../../shared/runtime/from-env';
import { describeWithNotary } from '../harness/availability';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';
import { writePolicyFolder } from '../harness/policy-folder';
import { recordingTelemetry } from '../shared/decision/fakes';
import { context, fixture, type ReviewBody, urlEvent } from './events';

const APP = 'registry.example.com/team/app';
const GITOPS = 'registry.example.com/team/gitops';
const DOWN = 'registry.example.com/team/down';
const HANGING = 'registry.example.com/team/hanging';
const BUSYBOX = 'docker.io/library/busybox';
const SIGNED_HEX = 'a'.repeat(64);
const RC_HEX = 'c'.repeat(64);
const LATEST_HEX = 'd'.repeat(64);
const SIGNED = `sha256:${SIGNED_HEX}`;

interface MutateBody {
  apiVersion: string;
  kind: string;
  response: { uid: string; allowed: boolean; patchType?: string; patch?: string; status?: unknown };
}

type Review = { apiVersion: string; request: { object: Record<string, unknown>; [key: string]: unknown } };

/** A fixture review with every image field of its object (containers, init, ephemeral, volumes) set to `image`. */
function reviewWithImages(name: string, image: (index: number) => string): Review {
  const review = JSON.parse(fixture(`${name}.json`)) as Review;
  const operations: Operation[] = extractImages(parseAdmissionReview(review)).map((found, index) => ({
    op: 'replace',
    path: `/request/object${found.pointer}`,
    value: image(index),
  }));
  expect(applyPatch(review, operations).every((result) => result === null)).toBe(true);
  return review;
}

function podReview(images: string[], extra: Record<string, unknown> = {}): Review {
  const review = JSON.parse(fixture('pod-create.json')) as Review;
  const spec = review.request.object.spec as Record<string, unknown>;
  spec.containers = images.map((image, index) => ({ name: `c${index}`, image }));
  spec.initContainers = [];
  Object.assign(spec, extra);
  return review;
}

function patchOf(body: MutateBody): Operation[] | undefined {
  return body.response.patch === undefined
    ? undefined
    : (JSON.parse(Buffer.from(body.response.patch, 'base64').toString('utf8')) as Operation[]);
}

/** The object with the patch applied, as the apiserver would apply it; every operation must succeed. */
function patched(review: Review, body: MutateBody): Record<string, unknown> {
  const object = structuredClone(review.request.object);
  const results = applyPatch(object, patchOf(body) ?? []);
  expect(results).toEqual(results.map(() => null));
  return object;
}

const ROOT = path.join(__dirname, '..', '..');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin', 'notary-gate.js'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A TCP server that accepts connections and never answers: a Notary that hangs past the deadline. */
async function startSilentServer(): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describeWithNotary('/mutate against a real notary-server', () => {
  let notary: NotaryHarness;
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let dir: string;
  let policyFile: string;

  beforeAll(async () => {
    notary = await startNotary();
    silent = await startSilentServer();
    await notary.seed(APP, { v1: SIGNED_HEX, 'V1.0-rc_1': RC_HEX });
    await notary.seed(GITOPS, { v1: SIGNED_HEX });
    await notary.seed(BUSYBOX, { latest: LATEST_HEX });
    ({ dir, policyFile } = await writePolicyFolder(
      notary,
      [
        { gun: APP },
        { gun: GITOPS, ruleLines: ['mutateDigest: false'] },
        { gun: BUSYBOX },
        // Nothing listens on port 9: connection refused at once.
        { gun: DOWN, server: 'https://127.0.0.1:9', pinRoot: false },
        { gun: HANGING, server: `https://127.0.0.1:${silent.port}`, pinRoot: false },
      ],
      'notary-gate-mutate-e2e-',
    ));
  }, 240_000);

  afterAll(async () => {
    await notary?.stop();
    await silent?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** One handler (one runtime, one cache) for a /mutate and the /validate that follows, as in one Lambda. */
  function webhook() {
    const { telemetry, recorded } = recordingTelemetry();
    const handler = createWebhookHandler(() =>
      runtimeFromEnv({ env: { POLICY_FILE: policyFile }, baseDir: dir, telemetry }),
    );
    const post = async <T>(path: string, body: unknown) =>
      JSON.parse((await handler(urlEvent('POST', path, JSON.stringify(body)), context())).body ?? '{}') as T;
    return {
      recorded,
      mutate: (review: Review, query = '') => post<MutateBody>(`/mutate${query}`, review),
      validate: (review: Review, object: Record<string, unknown>) =>
        post<ReviewBody>('/validate', { ...review, request: { ...review.request, object } }),
    };
  }

  describe.each([
    'pod-create',
    'pod-create-v1beta1',
    'pod-imagevolume-create',
    'deployment-create',
    'replicaset-create',
    'statefulset-create',
    'daemonset-create',
    'job-create',
    'cronjob-create',
    'replicationcontroller-create',
    'podtemplate-create',
    'rollout-create',
    'deployment-update',
    'pod-ephemeralcontainers-update',
  ])('%s with every image a signed tag', (name) => {
    it('is pinned by a patch of replace operations that /validate then admits as SIGNED', async () => {
      const review = reviewWithImages(name, () => `${APP}:v1`);
      const pointers = extractImages(parseAdmissionReview(review)).map((image) => image.pointer);
      const { mutate, validate, recorded } = webhook();

      const unpinned = await validate(review, review.request.object);
      expect(unpinned.response.allowed).toBe(false); // requireDigest: the tag alone is DIGEST_REQUIRED

      const body = await mutate(review);
      expect(body).toMatchObject({
        apiVersion: review.apiVersion,
        kind: 'AdmissionReview',
        response: { uid: review.request.uid, allowed: true, patchType: 'JSONPatch' },
      });
      expect(patchOf(body)).toEqual(
        [...pointers].sort().map((path) => ({ op: 'replace', path, value: `${APP}:v1@${SIGNED}` })),
      );
      const object = patched(review, body);
      const after = extractImages(parseAdmissionReview({ ...review, request: { ...review.request, object } }));
      expect(after.map((image) => image.image)).toEqual(pointers.map(() => `${APP}:v1@${SIGNED}`));

      const validated = await validate(review, object);
      expect(validated.response.allowed).toBe(true);
      const decision = recorded.decisions.at(-1) as { images: { code: string }[] };
      expect(decision.images.map((image) => image.code)).toEqual(pointers.map(() => 'SIGNED'));
    }, 60_000);
  });

  it('pins in the form the user wrote: an implied latest tag is written out, the registry is not added', async () => {
    const { mutate } = webhook();
    const review = podReview(['busybox', `${APP}:v1`]);
    const body = await mutate(review);
    expect(patchOf(body)).toEqual([
      { op: 'replace', path: '/spec/containers/0/image', value: `busybox:latest@sha256:${LATEST_HEX}` },
      { op: 'replace', path: '/spec/containers/1/image', value: `${APP}:v1@${SIGNED}` },
    ]);
  }, 60_000);

  it('logs one mutation record per admission with the pins made, and counts them', async () => {
    const { mutate, recorded } = webhook();
    await mutate(podReview([`${APP}:v1`, `${APP}@${SIGNED}`]));
    expect(recorded.decisions).toHaveLength(1);
    expect(recorded.decisions[0]).toMatchObject({
      event: 'mutation',
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      pinnedCount: 1,
      pinnedImages: `${APP}:v1@${SIGNED}`,
      pins: [
        { path: 'spec.containers[0].image', image: `${APP}:v1`, digest: SIGNED, format: 'notary-v1', source: 'origin' },
      ],
      unpinned: [{ path: 'spec.containers[1].image', code: 'HAS_DIGEST' }],
    });
    expect(recorded.counts).toEqual(
      expect.arrayContaining([
        { metric: 'Mutations', value: 1, dimension: { name: 'result', value: 'pinned' } },
        { metric: 'PinnedImages', value: 1 },
      ]),
    );
    expect(recorded.counts.some((count) => count.metric === 'Admissions')).toBe(false);
  }, 60_000);

  describe('answers allowed without a patch when nothing is pinned', () => {
    it.each([
      ['an image already pinned to its digest', `${APP}:v1@${SIGNED}`, 'HAS_DIGEST'],
      ['a digest-only image', `${APP}@${SIGNED}`, 'HAS_DIGEST'],
      ['an image no rule matches', 'nginx:1.25.3', 'NO_RULE'],
      ['an image whose rule sets mutateDigest: false', `${GITOPS}:v1`, 'MUTATE_DISABLED'],
      ['an unsigned tag', `${APP}:v2`, 'NOT_RESOLVED'],
      ['an image whose Notary is unreachable', `${DOWN}:v1`, 'NOT_RESOLVED'],
    ])(
      '%s',
      async (_what, image, code) => {
        const { mutate, recorded } = webhook();
        const body = await mutate(podReview([image]));
        expect(body.response).toEqual({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
        expect(recorded.decisions[0]).toMatchObject({ pinnedCount: 0, unpinned: [{ image, code }] });
        expect(recorded.counts).toContainEqual({
          metric: 'Mutations',
          value: 1,
          dimension: { name: 'result', value: 'unchanged' },
        });
      },
      60_000,
    );

    it('leaves an image alone when its Notary hangs past the deadline, and still pins the others', async () => {
      const { mutate, recorded } = webhook();
      await mutate(podReview([`${APP}:v1`])); // warm: the app's trust data is then in memory
      const startedAt = Date.now();
      // timeout=2s: the deadline is 2 s minus the 750 ms answer margin.
      const body = await mutate(podReview([`${HANGING}:v1`, `${APP}:v1`]), '?timeout=2s');
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(body.response.allowed).toBe(true);
      expect(patchOf(body)).toEqual([
        { op: 'replace', path: '/spec/containers/1/image', value: `${APP}:v1@${SIGNED}` },
      ]);
      expect(recorded.decisions[1]).toMatchObject({ unpinned: [{ image: `${HANGING}:v1`, code: 'TIMED_OUT' }] });
    }, 60_000);
  });

  it('pins only the object on UPDATE: oldObject images are irrelevant, unchanged or not', async () => {
    const review = reviewWithImages('deployment-update', () => `${APP}:v1`);
    const old = (
      review.request as unknown as { oldObject: { spec: { template: { spec: { containers: unknown[] } } } } }
    ).oldObject;
    old.spec.template.spec.containers = [{ name: 'api', image: `${GITOPS}:v0` }];
    const body = await webhook().mutate(review);
    const paths = (patchOf(body) ?? []).map((operation) => operation.path);
    expect(paths).toEqual([
      '/spec/template/spec/containers/0/image',
      '/spec/template/spec/containers/1/image',
      '/spec/template/spec/initContainers/0/image',
    ]);
  }, 60_000);

  it('pins a field whose container name and tag hold odd characters', async () => {
    const review = podReview([]);
    const spec = review.request.object.spec as Record<string, unknown>;
    spec.containers = [{ name: 'we~ird/na.me', image: `${APP}:V1.0-rc_1` }];
    spec.volumes = [{ name: 'a/b~c', image: { reference: `${APP}:V1.0-rc_1` } }];
    const { mutate, validate } = webhook();
    const body = await mutate(review);
    expect(patchOf(body)).toEqual([
      { op: 'replace', path: '/spec/containers/0/image', value: `${APP}:V1.0-rc_1@sha256:${RC_HEX}` },
      { op: 'replace', path: '/spec/volumes/0/image/reference', value: `${APP}:V1.0-rc_1@sha256:${RC_HEX}` },
    ]);
    expect((await validate(review, patched(review, body))).response.allowed).toBe(true);
  }, 60_000);

  describe('the CLI', () => {
    it('review --mutate prints the /mutate answer with the patch, and exits 0', async () => {
      const file = path.join(dir, 'deployment-review.json');
      await writeFile(file, JSON.stringify(reviewWithImages('deployment-create', () => `${APP}:v1`)));
      const { code, stdout } = await cli(['review', '--mutate', '--policy', policyFile, file]);
      expect(code).toBe(0);
      const body = JSON.parse(stdout) as MutateBody;
      expect(body.response).toMatchObject({ allowed: true, patchType: 'JSONPatch' });
      expect(patchOf(body)?.map((operation) => operation.path)).toEqual([
        '/spec/template/spec/containers/0/image',
        '/spec/template/spec/containers/1/image',
        '/spec/template/spec/initContainers/0/image',
      ]);
    }, 60_000);

    it('check -f --pin prints the manifests with the same pins, comments and other documents kept', async () => {
      const file = path.join(dir, 'app.yaml');
      const manifests = [
        '# the api, deployed by CI',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: api # keep this comment',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: api',
        `          image: "${APP}:v1" # pinned by notary-gate`,
        '        - name: proxy',
        `          image: ${GITOPS}:v1`,
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: settings }',
        'data: { image: "not-an-image:v1" }',
        '',
      ].join('\n');
      await writeFile(file, manifests);
      const { code, stdout, stderr } = await cli(['check', '--policy', policyFile, '-f', file, '--pin']);
      expect(stdout).toBe(manifests.replace(`"${APP}:v1"`, `"${APP}:v1@${SIGNED}"`));
      expect(stderr).toContain('pinned 1 image');
      // The GitOps rule keeps its tag, which requireDigest then denies: exit 1, as the webhook would deny it.
      expect(stderr).toMatch(new RegExp(`deny +${GITOPS}:v1 +DIGEST_REQUIRED`));
      expect(code).toBe(1);
    }, 60_000);
  });
});
