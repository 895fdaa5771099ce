/**
 * Break-glass: the validating webhook's objectSelector keeps labelled objects from it, so the mutating webhook, which
 * still sees them, is where they are logged loudly: a warning naming who and what, and `breakGlassLabel` with the
 * images as written in the mutation record (the BreakGlassUsed alarm and the "break-glass" query read it).
 */
import { createWebhookHandler } from '../../functions/app';
import type { ImageReference } from '../../shared/image/types';
import { createRuntime } from '../../shared/runtime/runtime';
import type { Telemetry } from '../../shared/runtime/telemetry';
import type { DigestResolution } from '../../shared/verify/types';
import { BREAK_GLASS_LABEL, carriesBreakGlassLabel } from '../../shared/webhook-config/break-glass';
import { FakeVerifier, policy, rule, SIGNED_DIGEST } from '../shared/decision/fakes';
import { context, fixture, urlEvent } from './events';

class ResolvingVerifier extends FakeVerifier {
  async resolveSignedDigest(_ref: ImageReference): Promise<DigestResolution> {
    return { digest: SIGNED_DIGEST, reason: 'signed' };
  }
}

function setup() {
  const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  const records: Record<string, unknown>[] = [];
  const telemetry: Telemetry = {
    observer: { count() {}, warn: (message, fields) => warnings.push({ message, fields }), debug() {} },
    logDecision: (record) => records.push(record),
    error() {},
    flush() {},
  };
  const runtime = createRuntime({
    policy: policy({ rules: [rule(['docker.io/library/nginx'])] }),
    verifiers: [new ResolvingVerifier()],
    telemetry,
    webhookToken: async () => undefined,
  });
  const handler = createWebhookHandler(async () => runtime, { telemetry });
  const post = async (path: string, review: unknown) =>
    JSON.parse((await handler(urlEvent('POST', path, JSON.stringify(review)), context())).body ?? '{}');
  return { post, warnings, records };
}

function labelled(value: unknown = 'true') {
  const review = JSON.parse(fixture('pod-create.json'));
  review.request.object.metadata.labels = { ...review.request.object.metadata.labels, [BREAK_GLASS_LABEL]: value };
  return review;
}

describe('an object with the break-glass label, at /mutate', () => {
  it('is logged as a BREAK-GLASS warning naming the object, the user and its images', async () => {
    const { post, warnings } = setup();
    await post('/mutate', labelled());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/^BREAK-GLASS: Pod default\/\S* carries notary-gate\.io\/break-glass=true/);
    expect(warnings[0]?.fields).toMatchObject({
      operation: 'CREATE',
      user: expect.any(String),
      images: ['nginx:1.25.3', expect.stringContaining('fluent-bit'), 'busybox:1.36'],
    });
  });

  it('is marked in its mutation record with every image as written', async () => {
    const { post, records } = setup();
    await post('/mutate', labelled());
    expect(records).toEqual([
      expect.objectContaining({
        event: 'mutation',
        breakGlassLabel: true,
        breakGlassImages: expect.stringMatching(/^nginx:1\.25\.3,.*fluent-bit.*,busybox:1\.36$/),
      }),
    ]);
  });

  it('is still pinned as any object is: the label changes what the validating webhook sees, not /mutate', async () => {
    const { post } = setup();
    const body = await post('/mutate', labelled());
    expect(body.response).toMatchObject({ allowed: true, patchType: 'JSONPatch' });
  });
});

describe('an object without the label (or with another value)', () => {
  it.each([['false'], [''], ['True']])('is not marked with the value %j', async (value) => {
    const { post, warnings, records } = setup();
    await post('/mutate', labelled(value));
    expect(warnings).toEqual([]);
    expect(records[0]).not.toHaveProperty('breakGlassLabel');
    expect(records[0]).not.toHaveProperty('breakGlassImages');
  });
});

describe('carriesBreakGlassLabel', () => {
  it('reads only metadata.labels of the object, and only the value "true"', () => {
    expect(carriesBreakGlassLabel({ metadata: { labels: { [BREAK_GLASS_LABEL]: 'true' } } })).toBe(true);
    expect(carriesBreakGlassLabel({ metadata: { annotations: { [BREAK_GLASS_LABEL]: 'true' } } })).toBe(false);
    expect(
      carriesBreakGlassLabel({ spec: { template: { metadata: { labels: { [BREAK_GLASS_LABEL]: 'true' } } } } }),
    ).toBe(false);
    expect(carriesBreakGlassLabel({ metadata: { labels: { [BREAK_GLASS_LABEL]: true } } })).toBe(false);
    expect(carriesBreakGlassLabel({ metadata: { labels: [] } })).toBe(false);
    expect(carriesBreakGlassLabel(null)).toBe(false);
    expect(carriesBreakGlassLabel({ metadata: { labels: Object.create({ [BREAK_GLASS_LABEL]: 'true' }) } })).toBe(
      false,
    );
  });
});
