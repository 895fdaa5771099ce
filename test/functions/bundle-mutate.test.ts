/**
 * `/mutate` through the bundled Lambda (the esbuild output as deployed, function URL events, a fresh node process
 * per cold start): a Deployment whose images are `<repo>:v1`, signed in a real notary-server by the real `notary`
 * client, comes back with a base64 JSONPatch; applied with the rfc6902 library it pins every image to
 * `<repo>:v1@sha256:<signed>`, and `/validate` of the patched object through the same bundle admits it as SIGNED.
 * The policy (with the Notary CA and root certificate files it names) is staged into the task folder as the CDK
 * asset holds it, and both endpoints carry the path token.
 */
import { rm } from 'node:fs/promises';
import { applyPatch, type Operation } from 'rfc6902';
import { extractImages } from '../../shared/admission/extract';
import { parseAdmissionReview } from '../../shared/admission/parse';
import { describeWithNotary } from '../harness/availability';
import { buildLambdaTask, type Invocation, invokeLambda, type LambdaTask } from '../harness/lambda-bundle';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';
import { writePolicyFolder } from '../harness/policy-folder';
import { fixture, type ReviewBody, urlEvent } from './events';

const APP = 'registry.example.com/team/app';
const SIGNED = `sha256:${'a'.repeat(64)}`;
const TOKEN = 'bundle-mutate-token-0123456789';

type Review = { apiVersion: string; request: { uid: string; object: Record<string, unknown> } };
type MutateResponse = ReviewBody['response'] & { patchType?: string; patch?: string };

/** The Deployment fixture with every image field (containers and init containers) set to `image`. */
function deploymentReview(image: string): Review {
  const review = JSON.parse(fixture('deployment-create.json')) as Review;
  const operations: Operation[] = extractImages(parseAdmissionReview(review)).map((found) => ({
    op: 'replace',
    path: `/request/object${found.pointer}`,
    value: image,
  }));
  expect(applyPatch(review, operations)).toEqual(operations.map(() => null));
  return review;
}

const body = (answer: Invocation, index: number) => JSON.parse(answer.results[index]?.body ?? 'null');

describeWithNotary('/mutate through the bundled Lambda, against a real notary-server', () => {
  let notary: NotaryHarness;
  let task: LambdaTask;
  let policyDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    notary = await startNotary();
    await notary.seed(APP, { v1: SIGNED.slice('sha256:'.length) });
    const folder = await writePolicyFolder(notary, [{ gun: APP }], 'notary-gate-bundle-mutate-');
    policyDir = folder.dir;
    task = await buildLambdaTask('notary-gate-bundle-mutate-');
    env = { ...task.stagePolicy(folder.policyFile), WEBHOOK_TOKEN: TOKEN };
  }, 240_000);

  afterAll(async () => {
    await notary?.stop();
    task?.remove();
    if (policyDir) await rm(policyDir, { recursive: true, force: true });
  });

  describe('a Deployment with image <repo>:v1 in every container', () => {
    const review = deploymentReview(`${APP}:v1`);
    const pointers = extractImages(parseAdmissionReview(review)).map((image) => image.pointer);
    let mutation: Invocation;
    let patch: Operation[];
    let object: Record<string, unknown>;
    let applied: ReturnType<typeof applyPatch>;

    beforeAll(async () => {
      // As AWS delivers a body it does not take for text: base64, with isBase64Encoded.
      mutation = await invokeLambda(task, env, [
        urlEvent('POST', `/mutate/${TOKEN}`, JSON.stringify(review), { base64: true }),
        urlEvent('POST', `/validate/${TOKEN}`, JSON.stringify(review)),
      ]);
      const response = body(mutation, 0).response as MutateResponse;
      patch = JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString('utf8')) as Operation[];
      object = structuredClone(review.request.object);
      // As the apiserver applies it.
      applied = applyPatch(object, patch);
    }, 60_000);

    it('gets allowed with a base64 JSONPatch of replace operations on exactly its image fields', () => {
      expect(mutation.results[0]?.statusCode).toBe(200);
      expect(body(mutation, 0)).toMatchObject({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: review.request.uid, allowed: true, patchType: 'JSONPatch' },
      });
      expect(pointers.length).toBeGreaterThan(1);
      expect(patch).toEqual(
        [...pointers].sort().map((path) => ({ op: 'replace', path, value: `${APP}:v1@${SIGNED}` })),
      );
    });

    it('is pinned to <repo>:v1@sha256:<signed> by applying the patch (RFC 6902)', () => {
      expect(applied).toEqual(patch.map(() => null));
      const pinned = extractImages(parseAdmissionReview({ ...review, request: { ...review.request, object } }));
      expect(pinned.map((image) => image.image)).toEqual(pointers.map(() => `${APP}:v1@${SIGNED}`));
    });

    it('was denied by /validate before pinning (the tag alone: DIGEST_REQUIRED)', () => {
      expect(body(mutation, 1).response).toMatchObject({ allowed: false });
      expect(body(mutation, 1).response.status.message).toContain('DIGEST_REQUIRED');
    });

    it('logs the mutation with its pins, in the bundle’s decision log', () => {
      const records = mutation.lines.filter((line) => line.event === 'mutation');
      expect(records).toEqual([
        expect.objectContaining({
          uid: review.request.uid,
          pinnedCount: pointers.length,
          function_request_id: 'req-0',
        }),
      ]);
      expect(JSON.stringify(mutation.lines)).not.toContain(TOKEN);
    });

    it('is admitted by /validate of the patched object through the same bundle, every image SIGNED', async () => {
      const patched = { ...review, request: { ...review.request, object } };
      const answer = await invokeLambda(task, env, [urlEvent('POST', `/validate/${TOKEN}`, JSON.stringify(patched))]);
      expect(body(answer, 0).response).toEqual({ uid: review.request.uid, allowed: true });
      const [decision] = answer.lines.filter((line) => line.event === 'admission');
      expect(((decision?.images ?? []) as { code: string }[]).map((image) => image.code)).toEqual(
        pointers.map(() => 'SIGNED'),
      );
    }, 60_000);
  });

  it('refuses /mutate with a wrong token (403), as /validate does', async () => {
    const answer = await invokeLambda(task, env, [
      urlEvent('POST', '/mutate/wrong-token-0123456789', JSON.stringify(deploymentReview(`${APP}:v1`))),
    ]);
    expect(answer.results[0]?.statusCode).toBe(403);
  }, 60_000);
});
