/**
 * `/mutate` through the middy chain with a fake signature format: the same routing, token, body limits and error
 * handling as `/validate`, and the rule that it never denies. The real Notary path is in notary-mutate.test.ts.
 */
import { createWebhookHandler } from '../../functions/app';
import { InvalidPolicyError } from '../../shared/errors';
import type { ImageReference } from '../../shared/image/types';
import type { DigestPinner } from '../../shared/mutate/pinner';
import { createRuntime, type Runtime } from '../../shared/runtime/runtime';
import type { DigestResolution } from '../../shared/verify/types';
import { FakeVerifier, policy, recordingTelemetry, rule, SIGNED_DIGEST } from '../shared/decision/fakes';
import { context, fixture, urlEvent } from './events';

const TOKEN = 'local-test-token-0123456789';
const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';

class ResolvingVerifier extends FakeVerifier {
  async resolveSignedDigest(_ref: ImageReference): Promise<DigestResolution> {
    return { digest: SIGNED_DIGEST, reason: 'signed' };
  }
}

function setup(options: { token?: string; maxBodyBytes?: number; runtime?: (base: Runtime) => Runtime } = {}) {
  const { telemetry, recorded } = recordingTelemetry();
  const base = createRuntime({
    policy: policy({ rules: [rule(['docker.io/library/nginx'])] }),
    verifiers: [new ResolvingVerifier()],
    telemetry,
    webhookToken: async () => (options.token === undefined ? undefined : { current: options.token }),
  });
  const runtime = options.runtime ? options.runtime(base) : base;
  const handler = createWebhookHandler(async () => runtime, {
    telemetry,
    ...(options.maxBodyBytes && { maxBodyBytes: options.maxBodyBytes }),
  });
  const call = async (method: string, path: string, body?: string) => {
    const result = await handler(urlEvent(method, path, body), context());
    return { status: result.statusCode, json: JSON.parse(result.body ?? 'null') };
  };
  return { call, recorded };
}

const decodedPatch = (json: { response: { patch?: string } }) =>
  JSON.parse(Buffer.from(json.response.patch ?? '', 'base64').toString('utf8'));

describe('POST /mutate', () => {
  it('pins the README sample pod: only its tag-only image that a verify rule matches', async () => {
    const { call, recorded } = setup();
    const { status, json } = await call('POST', '/mutate', fixture('pod-create.json'));
    expect(status).toBe(200);
    expect(json.response).toMatchObject({ uid: UID, allowed: true, patchType: 'JSONPatch' });
    expect(decodedPatch(json)).toEqual([
      { op: 'replace', path: '/spec/containers/0/image', value: `nginx:1.25.3@${SIGNED_DIGEST}` },
    ]);
    expect(recorded.decisions).toEqual([expect.objectContaining({ event: 'mutation', pinnedCount: 1 })]);
  });

  it('answers DELETE without a patch', async () => {
    const { call } = setup();
    const { json } = await call('POST', '/mutate', fixture('pod-delete.json'));
    expect(json.response).toEqual({ uid: expect.any(String), allowed: true });
  });

  describe('shares the validating chain', () => {
    it('requires the token when one is configured, and checks it', async () => {
      const { call } = setup({ token: TOKEN });
      await expect(call('POST', '/mutate', fixture('pod-create.json'))).resolves.toMatchObject({
        status: 403,
        json: { error: 'TOKEN_REQUIRED', reason: expect.stringContaining('/mutate/<token>') },
      });
      await expect(call('POST', '/mutate/wrong-token-0123456789', '{}')).resolves.toMatchObject({
        status: 403,
        json: { error: 'TOKEN_INVALID' },
      });
      const { json } = await call('POST', `/mutate/${TOKEN}`, fixture('pod-create.json'));
      expect(json.response.patchType).toBe('JSONPatch');
    });

    it('answers 404 for /mutate/<token> without a configured token and for deeper paths', async () => {
      const { call } = setup();
      await expect(call('POST', `/mutate/${TOKEN}`, '{}')).resolves.toMatchObject({ status: 404 });
      await expect(call('POST', '/mutate/a/b', '{}')).resolves.toMatchObject({ status: 404 });
      await expect(call('POST', '/mutates', '{}')).resolves.toMatchObject({ status: 404 });
    });

    it('answers 405 to another method, 400 to a bad review and 413 to a body over the limit', async () => {
      const { call } = setup({ maxBodyBytes: 64 * 1024 });
      await expect(call('GET', '/mutate')).resolves.toMatchObject({ status: 405 });
      await expect(call('POST', '/mutate', '{"kind":"Pod"}')).resolves.toMatchObject({
        status: 400,
        json: { error: 'INVALID_ADMISSION_REVIEW' },
      });
      await expect(call('POST', '/mutate', 'x'.repeat(64 * 1024 + 1))).resolves.toMatchObject({ status: 413 });
    });
  });

  describe('never denies', () => {
    it('answers allowed without a patch when pinning fails unexpectedly, and logs it', async () => {
      const pinner = { pin: async () => Promise.reject(new Error('boom')) } as unknown as DigestPinner;
      const { call, recorded } = setup({ runtime: (base) => ({ ...base, pinner }) });
      const { status, json } = await call('POST', '/mutate', fixture('pod-create.json'));
      expect({ status, response: json.response }).toEqual({ status: 200, response: { uid: UID, allowed: true } });
      expect(recorded.errors[0]?.message).toBe('mutation failed unexpectedly; answering without a patch');
      expect(recorded.decisions).toEqual([expect.objectContaining({ event: 'mutation', pinnedCount: 0 })]);
    });

    it('answers allowed without a patch when the configuration does not load (/validate denies)', async () => {
      const { telemetry } = recordingTelemetry();
      const handler = createWebhookHandler(
        async () => {
          throw new InvalidPolicyError('rules[0].match: required');
        },
        { telemetry },
      );
      const mutate = await handler(urlEvent('POST', '/mutate', fixture('pod-create.json')), context());
      expect(JSON.parse(mutate.body ?? '')).toMatchObject({ response: { uid: UID, allowed: true } });
      const validate = await handler(urlEvent('POST', '/validate', fixture('pod-create.json')), context());
      expect(JSON.parse(validate.body ?? '')).toMatchObject({ response: { uid: UID, allowed: false } });
    });
  });
});
