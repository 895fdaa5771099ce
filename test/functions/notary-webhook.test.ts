/**
 * The webhook end to end against the real thing: the handler with the runtime built from the environment
 * (POLICY_FILE, in-memory cache, the real NotaryVerifier), a real notary-server with trust data published by the
 * real `notary` client, and the `check` CLI with `--at`.
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createWebhookHandler } from '../../functions/app';
import { runtimeFromEnv } from '../../shared/runtime/from-env';
import { describeWithNotary } from '../harness/availability';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';
import { writePolicyFolder } from '../harness/policy-folder';
import { recordingTelemetry } from '../shared/decision/fakes';
import { context, fixture, type ReviewBody, urlEvent } from './events';

const ROOT = path.join(__dirname, '..', '..');
const APP = 'registry.example.com/team/app';
const SIGNED_HEX = 'a'.repeat(64);
const OTHER_HEX = 'b'.repeat(64);

/** The README sample pod with its images replaced. */
function podReview(images: string[]): string {
  const review = JSON.parse(fixture('pod-create.json'));
  review.request.object.spec.containers = images.map((image, index) => ({ name: `c${index}`, image }));
  review.request.object.spec.initContainers = [];
  return JSON.stringify(review);
}

/** The image volume sample pod: a signed container, and `volume` as the reference of its image volume. */
function imageVolumeReview(volume: string): string {
  const review = JSON.parse(fixture('pod-imagevolume-create.json'));
  review.request.object.spec.containers[0].image = `${APP}@sha256:${SIGNED_HEX}`;
  review.request.object.spec.volumes = [{ name: 'model', image: { reference: volume, pullPolicy: 'IfNotPresent' } }];
  return JSON.stringify(review);
}

function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin', 'notary-gate.js'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH }, timeout: 60_000 },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
}

describeWithNotary('the webhook against a real notary-server', () => {
  let notary: NotaryHarness;
  let dir: string;
  let policyFile: string;

  beforeAll(async () => {
    notary = await startNotary();
    await notary.seed(APP, { v1: SIGNED_HEX });
    ({ dir, policyFile } = await writePolicyFolder(notary, [{ gun: APP }], 'notary-gate-webhook-e2e-'));
  }, 180_000);

  afterAll(async () => {
    await notary?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A new handler with its own runtime (and so an empty in-memory cache) for each call. */
  async function admitWithFreshRuntime(images: string[]) {
    const { telemetry, recorded } = recordingTelemetry();
    const handler = createWebhookHandler(() =>
      runtimeFromEnv({ env: { POLICY_FILE: policyFile }, baseDir: dir, telemetry }),
    );
    const result = await handler(urlEvent('POST', '/validate', podReview(images)), context());
    return { response: (JSON.parse(result.body ?? '{}') as ReviewBody).response, recorded };
  }

  describe('the handler with the runtime from POLICY_FILE', () => {
    const admit = admitWithFreshRuntime;

    it('admits a digest signed by the pinned root', async () => {
      const { response, recorded } = await admit([`${APP}@sha256:${SIGNED_HEX}`]);
      expect(response).toMatchObject({ allowed: true });
      expect(recorded.decisions[0]).toMatchObject({
        decision: 'allow',
        images: [expect.objectContaining({ code: 'SIGNED', source: 'origin' })],
      });
    }, 60_000);

    it('denies an unsigned digest and a bare tag, naming the digest to pin', async () => {
      const { response } = await admit([`${APP}@sha256:${OTHER_HEX}`, `${APP}:v1`]);
      expect(response.allowed).toBe(false);
      expect(response.status?.message).toContain(`spec.containers[0].image "${APP}@sha256:${OTHER_HEX}": NOT_SIGNED`);
      expect(response.status?.message).toContain(`spec.containers[1].image "${APP}:v1": DIGEST_REQUIRED`);
      expect(response.status?.message).toContain(SIGNED_HEX);
    }, 60_000);
  });

  it('fetches the repository once per review, however many of its images the pod runs', async () => {
    const notaryRequests = (recorded: { counts: { metric: string; value: number }[] }) =>
      recorded.counts.filter((c) => c.metric === 'OriginRequests').reduce((sum, c) => sum + c.value, 0);
    const one = await admitWithFreshRuntime([`${APP}@sha256:${SIGNED_HEX}`]);
    const three = await admitWithFreshRuntime([
      `${APP}@sha256:${SIGNED_HEX}`,
      `${APP}@sha256:${OTHER_HEX}`,
      `${APP}:v1`,
    ]);
    expect(notaryRequests(one.recorded)).toBeGreaterThan(0);
    expect(notaryRequests(three.recorded)).toBe(notaryRequests(one.recorded));
  }, 60_000);

  describe('image volumes (spec.volumes[].image.reference)', () => {
    let reviewFile: string;
    beforeAll(async () => {
      reviewFile = path.join(dir, 'imagevolume-review.json');
      await writeFile(reviewFile, imageVolumeReview(`${APP}@sha256:${OTHER_HEX}`));
    });

    it('denies a pod whose image volume is not signed, naming the volume field', async () => {
      const { telemetry, recorded } = recordingTelemetry();
      const handler = createWebhookHandler(() =>
        runtimeFromEnv({ env: { POLICY_FILE: policyFile }, baseDir: dir, telemetry }),
      );
      const result = await handler(
        urlEvent('POST', '/validate', imageVolumeReview(`${APP}@sha256:${OTHER_HEX}`)),
        context(),
      );
      const { response } = JSON.parse(result.body ?? '{}') as ReviewBody;
      expect(response.allowed).toBe(false);
      expect(response.status?.message).toContain(
        `notary-gate denied 1 of 2 images: spec.volumes[0].image.reference "${APP}@sha256:${OTHER_HEX}": NOT_SIGNED`,
      );
      expect(recorded.decisions[0]?.images).toEqual([
        expect.objectContaining({ path: 'spec.containers[0].image', code: 'SIGNED' }),
        expect.objectContaining({ path: 'spec.volumes[0].image.reference', code: 'NOT_SIGNED' }),
      ]);
    }, 60_000);

    it('admits the pod when the image volume is signed too', async () => {
      const handler = createWebhookHandler(() =>
        runtimeFromEnv({ env: { POLICY_FILE: policyFile }, baseDir: dir, telemetry: recordingTelemetry().telemetry }),
      );
      const result = await handler(
        urlEvent('POST', '/validate', imageVolumeReview(`${APP}@sha256:${SIGNED_HEX}`)),
        context(),
      );
      expect((JSON.parse(result.body ?? '{}') as ReviewBody).response.allowed).toBe(true);
    }, 60_000);

    it('is listed by images, denied by review and by check -f', async () => {
      const images = await cli(['images', reviewFile]);
      expect(images.stdout.trim().split('\n')).toEqual([`${APP}@sha256:${SIGNED_HEX}`, `${APP}@sha256:${OTHER_HEX}`]);
      const review = await cli(['review', '--policy', policyFile, reviewFile]);
      expect(review.code).toBe(1);
      expect(JSON.parse(review.stdout).response.status.message).toContain('spec.volumes[0].image.reference');
      const check = await cli(['check', '--json', '--policy', policyFile, '-f', reviewFile]);
      expect(check.code).toBe(1);
      expect(JSON.parse(check.stdout).images).toEqual([
        expect.objectContaining({ image: `${APP}@sha256:${SIGNED_HEX}`, code: 'SIGNED' }),
        expect.objectContaining({ image: `${APP}@sha256:${OTHER_HEX}`, code: 'NOT_SIGNED' }),
      ]);
    }, 60_000);
  });

  describe('check --at', () => {
    it('admits the signed digest now and refuses it as expired decades later', async () => {
      const image = `${APP}@sha256:${SIGNED_HEX}`;
      const now = await cli(['check', '--json', '--policy', policyFile, image]);
      expect(now.code).toBe(0);
      const later = await cli(['check', '--json', '--policy', policyFile, '--at', '2099-01-01T00:00:00Z', image]);
      expect(later.code).toBe(1);
      expect(JSON.parse(later.stdout).images[0]).toMatchObject({ allowed: false, code: 'METADATA_EXPIRED' });
    }, 60_000);
  });
});
