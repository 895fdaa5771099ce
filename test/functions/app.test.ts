import { readdirSync } from 'node:fs';
import { createWebhookHandler } from '../../functions/app';
import type { DecisionEngine } from '../../shared/decision/engine';
import { InvalidPolicyError } from '../../shared/errors';
import type { Policy } from '../../shared/policy/types';
import { createRuntime, type Runtime } from '../../shared/runtime/runtime';
import { FakeVerifier, policy, recordingTelemetry, rule } from '../shared/decision/fakes';
import { context, FIXTURES, fixture, type ReviewBody, urlEvent } from './events';

const TOKEN = 'local-test-token-0123456789';
const allowDockerHub = policy({ rules: [rule(['docker.io/**'], { action: 'allow' })] });

function setup(
  options: { policy?: Policy; token?: string; previous?: string; verifier?: FakeVerifier; maxBodyBytes?: number } = {},
) {
  const { telemetry, recorded } = recordingTelemetry();
  const verifier = options.verifier ?? new FakeVerifier();
  const runtime = createRuntime({
    policy: options.policy ?? policy(),
    verifiers: [verifier],
    telemetry,
    webhookToken: async () =>
      options.token === undefined
        ? undefined
        : { current: options.token, ...(options.previous ? { previous: options.previous } : {}) },
  });
  const handler = createWebhookHandler(
    async () => runtime,
    options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {},
  );
  return { handler, recorded, verifier, runtime };
}

async function call(handler: ReturnType<typeof setup>['handler'], event: ReturnType<typeof urlEvent>) {
  const result = await handler(event, context());
  return { status: result.statusCode, headers: result.headers ?? {}, json: JSON.parse(result.body ?? 'null') };
}

describe('webhook handler (middy chain on function URL events)', () => {
  describe('routing', () => {
    it('answers GET /healthz with 200', async () => {
      const { handler } = setup();
      await expect(call(handler, urlEvent('GET', '/healthz'))).resolves.toMatchObject({
        status: 200,
        json: { status: 'ok' },
      });
    });

    it('answers an unknown path with 404 and a JSON reason', async () => {
      const { handler } = setup();
      await expect(call(handler, urlEvent('POST', '/admit', '{}'))).resolves.toMatchObject({
        status: 404,
        json: { error: 'NOT_FOUND' },
      });
    });

    it('answers a wrong method with 405 and the allowed methods', async () => {
      const { handler } = setup();
      const result = await call(handler, urlEvent('GET', '/validate'));
      expect(result).toMatchObject({ status: 405, json: { error: 'METHOD_NOT_ALLOWED' }, headers: { allow: 'POST' } });
      await expect(call(handler, urlEvent('DELETE', '/healthz'))).resolves.toMatchObject({ status: 405 });
    });
  });

  describe('POST /validate with a real AdmissionReview', () => {
    it('admits a pod whose images a rule allows, answering the request uid', async () => {
      const { handler } = setup({ policy: allowDockerHub });
      const { status, json } = await call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')));
      expect(status).toBe(200);
      expect(json as ReviewBody).toEqual({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true },
      });
    });

    it('denies under the default policy with a 403 status naming every image and path', async () => {
      const { handler } = setup();
      const { json } = await call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')));
      const response = (json as ReviewBody).response;
      expect(response.allowed).toBe(false);
      expect(response.status).toMatchObject({ code: 403, reason: 'Forbidden' });
      expect(response.status?.message).toMatch(
        /^notary-gate denied 3 of 3 images: spec\.containers\[0\]\.image "nginx:1\.25\.3": DENIED_BY_RULE/,
      );
      expect(response.status?.message).toContain('spec.initContainers[0].image "busybox:1.36"');
    });

    it('gives the verifier verdicts per image', async () => {
      const { handler, verifier } = setup({ policy: policy({ rules: [rule(['docker.io/**'])] }) });
      const { json } = await call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')));
      expect((json as ReviewBody).response.status?.message).toMatch(/DIGEST_REQUIRED.*NOT_SIGNED.*DIGEST_REQUIRED/);
      expect(verifier.calls).toHaveLength(3);
    });

    it('admits with one warning per image in audit mode', async () => {
      const { handler } = setup({ policy: policy({ mode: 'audit' }) });
      const { json } = await call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')));
      const response = (json as ReviewBody).response;
      expect(response.allowed).toBe(true);
      expect(response.warnings).toHaveLength(3);
      expect(response.auditAnnotations).toMatchObject({ decision: 'audit-deny', 'denied-codes': 'DENIED_BY_RULE' });
    });

    it('answers a v1beta1 AdmissionReview in v1beta1', async () => {
      const { handler } = setup({ policy: allowDockerHub });
      const { json } = await call(handler, urlEvent('POST', '/validate', fixture('pod-create-v1beta1.json')));
      expect(json).toMatchObject({ apiVersion: 'admission.k8s.io/v1beta1', response: { allowed: true } });
    });

    it('admits a DELETE at once', async () => {
      const { handler, verifier } = setup({ policy: policy({ rules: [rule(['**'])] }) });
      const { json } = await call(handler, urlEvent('POST', '/validate', fixture('pod-delete.json')));
      expect((json as ReviewBody).response.allowed).toBe(true);
      expect(verifier.calls).toHaveLength(0);
    });

    it('decodes a base64 body as function URLs deliver binary content', async () => {
      const { handler } = setup({ policy: allowDockerHub });
      const event = urlEvent('POST', '/validate', fixture('pod-create.json'), { base64: true });
      expect(event.isBase64Encoded).toBe(true);
      await expect(call(handler, event)).resolves.toMatchObject({ status: 200, json: { response: { allowed: true } } });
    });

    it('writes exactly one decision record and flushes once per admission', async () => {
      const { handler, recorded } = setup();
      await call(handler, urlEvent('POST', '/validate', fixture('deployment-create.json')));
      expect(recorded.decisions).toHaveLength(1);
      expect(recorded.decisions[0]).toMatchObject({
        event: 'admission',
        kind: 'Deployment',
        decision: 'deny',
        operation: 'CREATE',
      });
      expect(recorded.flushes).toBe(1);
      expect(recorded.counts).toContainEqual({
        metric: 'Admissions',
        value: 1,
        dimension: { name: 'decision', value: 'deny' },
      });
    });

    it('turns verification still pending at the apiserver timeout into NOTARY_UNREACHABLE', async () => {
      const verifier = new FakeVerifier({ 'docker.io/library/nginx': 'hang' });
      const { handler } = setup({ policy: policy({ rules: [rule(['docker.io/**'])] }), verifier });
      // 500ms is less than the safety margin: the deadline has passed on arrival.
      const { json } = await call(handler, urlEvent('POST', '/validate?timeout=500ms', fixture('pod-create.json')));
      expect((json as ReviewBody).response.status?.message).toContain('"nginx:1.25.3": NOTARY_UNREACHABLE');
    });
  });

  describe('every kind of real AdmissionReview in the fixtures', () => {
    const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.json'));

    it.each(files)('answers %s with its apiVersion and uid, in enforce and audit mode', async (file) => {
      const request = JSON.parse(fixture(file)) as { apiVersion: string; request: { uid: string; operation: string } };
      for (const mode of ['enforce', 'audit'] as const) {
        const { handler } = setup({ policy: policy({ mode, rules: [rule(['docker.io/**'])] }) });
        const { status, json } = await call(handler, urlEvent('POST', '/validate', fixture(file)));
        const review = json as ReviewBody;
        expect(status).toBe(200);
        expect(review).toMatchObject({
          apiVersion: request.apiVersion,
          kind: 'AdmissionReview',
          response: { uid: request.request.uid },
        });
        // Every fixture except the DELETE and the Rollout that borrows a Deployment's template (spec.workloadRef:
        // no image of its own) has an image no signed digest backs: enforce denies, audit warns.
        const expectDenied = request.request.operation !== 'DELETE' && !file.startsWith('rollout-workloadref');
        expect(review.response.allowed).toBe(mode === 'audit' || !expectDenied);
        expect(review.response.status?.code).toBe(mode === 'enforce' && expectDenied ? 403 : undefined);
        expect((review.response.warnings ?? []).length > 0).toBe(mode === 'audit' && expectDenied);
      }
    });
  });

  describe('bad requests', () => {
    it('refuses malformed JSON with 400 and a JSON reason', async () => {
      const { handler } = setup();
      await expect(call(handler, urlEvent('POST', '/validate', '{"kind":'))).resolves.toMatchObject({
        status: 400,
        json: { error: 'INVALID_ADMISSION_REVIEW', reason: expect.stringMatching(/not JSON/) },
      });
    });

    it('refuses JSON that is not an AdmissionReview with 400', async () => {
      const { handler } = setup();
      await expect(call(handler, urlEvent('POST', '/validate', '{"kind":"Pod"}'))).resolves.toMatchObject({
        status: 400,
        json: { error: 'INVALID_ADMISSION_REVIEW' },
      });
    });

    it('refuses an empty body with 400', async () => {
      const { handler } = setup();
      await expect(call(handler, urlEvent('POST', '/validate'))).resolves.toMatchObject({ status: 400 });
    });

    it('refuses a body over the limit with 413', async () => {
      const { handler } = setup();
      const huge = JSON.stringify({ padding: 'x'.repeat(3 * 1024 * 1024) });
      await expect(call(handler, urlEvent('POST', '/validate', huge))).resolves.toMatchObject({
        status: 413,
        json: { error: 'PAYLOAD_TOO_LARGE' },
      });
    });
  });

  describe('with a webhook token', () => {
    it('answers the right token', async () => {
      const { handler } = setup({ token: TOKEN, policy: allowDockerHub });
      await expect(
        call(handler, urlEvent('POST', `/validate/${TOKEN}`, fixture('pod-create.json'))),
      ).resolves.toMatchObject({
        status: 200,
        json: { response: { allowed: true } },
      });
    });

    it('refuses a missing token with 403', async () => {
      const { handler } = setup({ token: TOKEN });
      await expect(call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')))).resolves.toMatchObject({
        status: 403,
        json: { error: 'TOKEN_REQUIRED' },
      });
    });

    it('refuses a wrong token with 403 before reading the body or verifying', async () => {
      const { handler, verifier, recorded } = setup({ token: TOKEN, policy: policy({ rules: [rule(['**'])] }) });
      const result = await call(handler, urlEvent('POST', `/validate/${TOKEN}x`, '{not json'));
      expect(result).toMatchObject({ status: 403, json: { error: 'TOKEN_INVALID' } });
      expect(JSON.stringify(result.json)).not.toContain(TOKEN);
      expect(verifier.calls).toHaveLength(0);
      expect(recorded.decisions).toHaveLength(0);
    });

    it('accepts the previous token during a rotation overlap, and the current one, and nothing else', async () => {
      const previous = 'previous-test-token-0123456789';
      const { handler } = setup({ token: TOKEN, previous, policy: allowDockerHub });
      for (const token of [TOKEN, previous]) {
        await expect(
          call(handler, urlEvent('POST', `/validate/${token}`, fixture('pod-create.json'))),
        ).resolves.toMatchObject({ status: 200, json: { response: { allowed: true } } });
      }
      const wrong = await call(handler, urlEvent('POST', `/validate/${previous}x`, fixture('pod-create.json')));
      expect(wrong).toMatchObject({ status: 403, json: { error: 'TOKEN_INVALID' } });
    });

    it('has no /validate/<token> path when no token is configured', async () => {
      const { handler } = setup();
      await expect(
        call(handler, urlEvent('POST', `/validate/${TOKEN}`, fixture('pod-create.json'))),
      ).resolves.toMatchObject({ status: 404 });
    });
  });

  describe('when something fails unexpectedly', () => {
    function failing(mode: 'enforce' | 'audit') {
      const base = setup({ policy: policy({ mode }) });
      const engine = { review: async () => Promise.reject(new Error('boom')) } as unknown as DecisionEngine;
      const runtime: Runtime = { ...base.runtime, engine };
      return { ...base, handler: createWebhookHandler(async () => runtime) };
    }

    it('still denies the parsed admission, with its uid, in enforce mode', async () => {
      const { handler, recorded } = failing('enforce');
      const { status, json } = await call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')));
      expect(status).toBe(200);
      expect(json).toMatchObject({ response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: false } });
      expect((json as ReviewBody).response.status?.message).toContain('INTERNAL_ERROR');
      expect(recorded.decisions).toHaveLength(1);
      expect(recorded.errors[0]?.message).toMatch(/answering per policy/);
    });

    it('admits with a warning in audit mode', async () => {
      const { handler } = failing('audit');
      const { json } = await call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')));
      expect(json).toMatchObject({
        response: { allowed: true, warnings: [expect.stringContaining('INTERNAL_ERROR')] },
      });
    });

    it('denies the review on a configuration error (fail closed), logs the details only, and retries loading on the next request', async () => {
      let attempts = 0;
      const { runtime, recorded } = setup({ policy: allowDockerHub });
      const handler = createWebhookHandler(
        async () => {
          attempts += 1;
          if (attempts === 1) throw new InvalidPolicyError('rules[0].match: required');
          return runtime;
        },
        { telemetry: runtime.telemetry },
      );
      const failed = await call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')));
      expect(failed).toMatchObject({
        status: 200,
        json: {
          response: {
            uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
            allowed: false,
            status: { code: 403, message: expect.stringContaining('INVALID_POLICY') },
          },
        },
      });
      expect(JSON.stringify(failed.json)).not.toContain('rules[0]');
      expect(recorded.errors).toEqual([
        { message: 'configuration error', fields: { code: 'INVALID_POLICY', error: 'rules[0].match: required' } },
      ]);
      await expect(call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')))).resolves.toMatchObject({
        status: 200,
      });
    });
  });
});
