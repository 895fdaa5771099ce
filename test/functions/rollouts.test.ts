/**
 * Argo Rollouts through /validate and /mutate (the middy chain, a fake signature format at the verifier boundary),
 * from real-shaped AdmissionReviews: a Rollout with its own pod template, and one that borrows a Deployment's
 * template through spec.workloadRef. The real Notary path for a Rollout is in notary-mutate.test.ts.
 */
import { createWebhookHandler } from '../../functions/app';
import type { ImageReference } from '../../shared/image/types';
import { createRuntime } from '../../shared/runtime/runtime';
import type { DigestResolution } from '../../shared/verify/types';
import { FakeVerifier, policy, recordingTelemetry, rule, SIGNED_DIGEST } from '../shared/decision/fakes';
import { context, fixture, type ReviewBody, urlEvent } from './events';

class ResolvingVerifier extends FakeVerifier {
  async resolveSignedDigest(_ref: ImageReference): Promise<DigestResolution> {
    return { digest: SIGNED_DIGEST, reason: 'signed' };
  }
}

type Review = { request: { object: Record<string, unknown> } & Record<string, unknown> } & Record<string, unknown>;
type MutateBody = ReviewBody & { response: { patch?: string; patchType?: string } };

function webhook() {
  const { telemetry, recorded } = recordingTelemetry();
  const runtime = createRuntime({
    policy: policy({ rules: [rule(['ghcr.io/acme/**'])] }),
    verifiers: [new ResolvingVerifier()],
    telemetry,
    webhookToken: async () => undefined,
  });
  const handler = createWebhookHandler(async () => runtime, { telemetry });
  const post = async <T>(path: string, review: Review) =>
    JSON.parse((await handler(urlEvent('POST', path, JSON.stringify(review)), context())).body ?? '{}') as T;
  return {
    recorded,
    validate: (review: Review) => post<ReviewBody>('/validate', review),
    mutate: (review: Review) => post<MutateBody>('/mutate', review),
  };
}

const review = (name: string): Review => JSON.parse(fixture(`${name}.json`));
const patchOf = (body: MutateBody) => JSON.parse(Buffer.from(body.response.patch ?? '', 'base64').toString('utf8'));

describe('an Argo Rollout with a pod template (spec.template)', () => {
  it('is denied by /validate for its tag-only template image, naming the template field', async () => {
    const { validate, recorded } = webhook();
    const body = await validate(review('rollout-create'));
    expect(body.response.allowed).toBe(false);
    expect(body.response.status?.message).toContain('spec.template.spec.containers[0].image');
    expect(recorded.decisions.at(-1)).toMatchObject({ kind: 'Rollout', deniedCodes: 'DIGEST_REQUIRED' });
  });

  it('is pinned by /mutate at the template image, and the pinned Rollout is admitted by /validate', async () => {
    const { validate, mutate } = webhook();
    const rollout = review('rollout-create');
    const body = await mutate(rollout);
    expect(body.response).toMatchObject({ allowed: true, patchType: 'JSONPatch' });
    const patch = patchOf(body);
    expect(patch).toEqual([
      {
        op: 'replace',
        path: '/spec/template/spec/containers/0/image',
        value: `ghcr.io/acme/checkout:3.1.0@${SIGNED_DIGEST}`,
      },
    ]);
    const object = rollout.request.object as { spec: { template: { spec: { containers: { image: string }[] } } } };
    object.spec.template.spec.containers[0]!.image = patch[0].value;
    expect((await validate(rollout)).response.allowed).toBe(true);
  });

  it('cannot hide its template behind an empty container list at spec', async () => {
    const { validate } = webhook();
    const rollout = review('rollout-create');
    (rollout.request.object as { spec: Record<string, unknown> }).spec.containers = [];
    expect((await validate(rollout)).response.allowed).toBe(false);
  });
});

describe('an Argo Rollout with spec.workloadRef (no template of its own)', () => {
  it('is admitted by /validate with no image to check, and recorded as such', async () => {
    const { validate, recorded } = webhook();
    const body = await validate(review('rollout-workloadref-create'));
    expect(body.response.allowed).toBe(true);
    expect(recorded.decisions.at(-1)).toMatchObject({ kind: 'Rollout', decision: 'allow', images: [] });
  });

  it('is answered by /mutate without a patch', async () => {
    const { mutate } = webhook();
    const body = await mutate(review('rollout-workloadref-create'));
    expect(body.response).toEqual({ uid: '5e0c2a4b-8d1f-4c3e-9a7b-2f6d1e8c4b90', allowed: true });
  });
});
