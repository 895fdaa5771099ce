/**
 * A request body is judged alike whether the configuration loaded (the body middleware and the parser) or not (the
 * fail-closed answers of the error handler: a policy that does not load, a token secret that cannot be read): one
 * decoder, decodeBody, and one parser serve both. Oversized is 413, and malformed or not an AdmissionReview is 400
 * with the reason, on every path, never a 5xx; a valid review is answered per policy, or, when the webhook cannot
 * run, denied (validate) or admitted unpatched (mutate).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createWebhookHandler } from '../../functions/app';
import { MAX_BODY_BYTES } from '../../functions/middleware/body';
import { InvalidPolicyError } from '../../shared/errors';
import { createRuntime } from '../../shared/runtime/runtime';
import { FakeVerifier, policy, recordingTelemetry, rule } from '../shared/decision/fakes';
import { context, fixture, urlEvent } from './events';

const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';
/** A small limit, so that the bound and one past it are cheap to build; the default is tested once. */
const SMALL_LIMIT = 8192;

/**
 * The three ways a request reaches an answer: the chain runs; the runtime does not load (InvalidPolicyError, the
 * error handler's configuration branch); the runtime loads but its token secret cannot be read (a plain Error before
 * the token check, the error handler's "could not run" branch, where the caller cannot be authenticated).
 */
type Path = 'configuration loaded' | 'configuration broken' | 'token secret unreadable';
const PATHS: Path[] = ['configuration loaded', 'configuration broken', 'token secret unreadable'];

function setup(path: Path, options: { maxBodyBytes?: number } = {}) {
  const { telemetry, recorded } = recordingTelemetry();
  const runtime = createRuntime({
    policy: policy({ rules: [rule(['docker.io/**'], { action: 'allow' })] }),
    verifiers: [new FakeVerifier()],
    telemetry,
    webhookToken: async () => {
      if (path === 'token secret unreadable')
        throw new Error('cannot read the webhook token from Secrets Manager (WEBHOOK_TOKEN_SECRET_ARN): ECONNREFUSED');
      return undefined;
    },
  });
  const handler = createWebhookHandler(
    async () => {
      if (path === 'configuration broken') throw new InvalidPolicyError('rules[0].match: required');
      return runtime;
    },
    { telemetry, ...(options.maxBodyBytes && { maxBodyBytes: options.maxBodyBytes }) },
  );
  const call = async (event: APIGatewayProxyEventV2) => {
    const result = await handler(event, context());
    return { status: result.statusCode, json: JSON.parse(result.body ?? 'null') };
  };
  return { call, recorded };
}

/** The sample pod's review, padded with trailing whitespace (still valid JSON) to exactly `bytes` bytes. */
function reviewOfSize(bytes: number): string {
  const text = fixture('pod-create.json');
  return text + ' '.repeat(bytes - Buffer.byteLength(text));
}

/** The sample pod's review without one of its request's fields. */
function reviewWithout(field: string): string {
  const review = JSON.parse(fixture('pod-create.json'));
  delete review.request[field];
  return JSON.stringify(review);
}

function base64Event(endpoint: string, body: string): APIGatewayProxyEventV2 {
  return { ...urlEvent('POST', endpoint, 'x', { base64: true }), body, isBase64Encoded: true };
}

describe.each<Path>(PATHS)('request bodies, %s', (path) => {
  describe.each(['/validate', '/mutate'])('POST %s', (endpoint) => {
    it('refuses a body over the default 3 MiB limit with 413, as text and as base64', async () => {
      const { call, recorded } = setup(path);
      const huge = reviewOfSize(MAX_BODY_BYTES + 1);
      for (const event of [
        urlEvent('POST', endpoint, huge),
        base64Event(endpoint, Buffer.from(huge).toString('base64')),
      ]) {
        await expect(call(event)).resolves.toEqual({
          status: 413,
          json: {
            error: 'PAYLOAD_TOO_LARGE',
            reason: `the body has ${MAX_BODY_BYTES + 1} bytes; the limit is ${MAX_BODY_BYTES}`,
          },
        });
      }
      expect(recorded.decisions).toEqual([]);
    });

    it("answers a review of exactly the chain's limit and refuses one byte more with 413", async () => {
      const { call } = setup(path, { maxBodyBytes: SMALL_LIMIT });
      const atLimit = await call(urlEvent('POST', endpoint, reviewOfSize(SMALL_LIMIT)));
      expect(atLimit).toMatchObject({ status: 200, json: { response: { uid: UID } } });
      await expect(call(urlEvent('POST', endpoint, reviewOfSize(SMALL_LIMIT + 1)))).resolves.toMatchObject({
        status: 413,
        json: { error: 'PAYLOAD_TOO_LARGE' },
      });
    });

    it('refuses malformed JSON with 400 and the reason', async () => {
      const { call } = setup(path);
      await expect(call(urlEvent('POST', endpoint, '{"kind":'))).resolves.toEqual({
        status: 400,
        json: { error: 'INVALID_ADMISSION_REVIEW', reason: expect.stringMatching(/^the body is not JSON: /) },
      });
    });

    it('refuses a base64 body that does not decode to JSON with 400 and the reason', async () => {
      const { call } = setup(path);
      await expect(call(base64Event(endpoint, '%%%not-base64%%%'))).resolves.toEqual({
        status: 400,
        json: { error: 'INVALID_ADMISSION_REVIEW', reason: expect.stringMatching(/^the body is not JSON: /) },
      });
    });

    it.each([
      [
        'an object of another kind',
        '{"not":"a review"}',
        'not a valid AdmissionReview: apiVersion: must be admission.k8s.io/v1 or admission.k8s.io/v1beta1',
      ],
      ['a JSON string', '"AdmissionReview"', 'not a valid AdmissionReview: the body must be a JSON object'],
      ['a review without its uid', reviewWithout('uid'), 'not a valid AdmissionReview: request.uid: must be a string'],
    ])("refuses %s with 400 and the parser's reason, recording no decision", async (_, body, reason) => {
      const { call, recorded } = setup(path);
      await expect(call(urlEvent('POST', endpoint, body))).resolves.toEqual({
        status: 400,
        json: { error: 'INVALID_ADMISSION_REVIEW', reason },
      });
      expect(recorded.decisions).toEqual([]);
    });

    it('refuses an empty body with 400 and the reason', async () => {
      const { call } = setup(path);
      await expect(call(urlEvent('POST', endpoint))).resolves.toEqual({
        status: 400,
        json: { error: 'INVALID_ADMISSION_REVIEW', reason: expect.stringContaining('no body') },
      });
    });

    it('decodes a valid review sent as base64', async () => {
      const { call } = setup(path);
      const event = base64Event(endpoint, Buffer.from(fixture('pod-create.json')).toString('base64'));
      await expect(call(event)).resolves.toMatchObject({ status: 200, json: { response: { uid: UID } } });
    });
  });
});

describe('a valid review', () => {
  it('is answered per policy when the configuration loaded', async () => {
    const { call, recorded } = setup('configuration loaded');
    await expect(call(urlEvent('POST', '/validate', fixture('pod-create.json')))).resolves.toMatchObject({
      status: 200,
      json: { response: { uid: UID, allowed: true } },
    });
    expect(recorded.decisions).toEqual([expect.objectContaining({ uid: UID, decision: 'allow' })]);
  });

  it('is denied with the policy-load code when the configuration is broken, and logged and counted once', async () => {
    const { call, recorded } = setup('configuration broken');
    const { status, json } = await call(urlEvent('POST', '/validate', fixture('pod-create.json')));
    expect(status).toBe(200);
    expect(json.response).toMatchObject({
      uid: UID,
      allowed: false,
      status: { code: 403, message: expect.stringContaining('INVALID_POLICY') },
    });
    expect(recorded.decisions).toEqual([
      expect.objectContaining({ uid: UID, decision: 'deny', mode: 'enforce', deniedCodes: 'INTERNAL_ERROR' }),
    ]);
    expect(recorded.counts.filter((count) => count.metric === 'Admissions')).toEqual([
      { metric: 'Admissions', value: 1, dimension: { name: 'decision', value: 'deny' } },
    ]);
  });

  it('is denied with INTERNAL_ERROR when the token secret cannot be read, without the reason of the failure', async () => {
    const { call, recorded } = setup('token secret unreadable');
    const { status, json } = await call(urlEvent('POST', '/validate', fixture('pod-create.json')));
    expect(status).toBe(200);
    expect(json.response).toMatchObject({
      uid: UID,
      allowed: false,
      status: { code: 403, message: expect.stringContaining('INTERNAL_ERROR: notary-gate could not run') },
    });
    // The caller was not authenticated: what failed (and where the secret lives) goes to the log only.
    expect(JSON.stringify(json)).not.toMatch(/Secrets Manager|WEBHOOK_TOKEN_SECRET_ARN|ECONNREFUSED/);
    expect(recorded.errors).toEqual([
      { message: 'request failed unexpectedly', fields: { error: expect.stringContaining('ECONNREFUSED') } },
    ]);
    expect(recorded.decisions).toEqual([
      expect.objectContaining({ uid: UID, decision: 'deny', mode: 'enforce', deniedCodes: 'INTERNAL_ERROR' }),
    ]);
  });

  it.each<Path>(['configuration broken', 'token secret unreadable'])(
    'is admitted without a patch on /mutate (%s: the mutating webhook never denies)',
    async (path) => {
      const { call } = setup(path);
      const { status, json } = await call(urlEvent('POST', '/mutate', fixture('pod-create.json')));
      expect(status).toBe(200);
      expect(json.response).toEqual({ uid: UID, allowed: true });
    },
  );
});
