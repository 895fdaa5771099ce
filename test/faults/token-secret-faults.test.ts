/**
 * The webhook when the Secrets Manager secret holding its token cannot be read (WEBHOOK_TOKEN_SECRET_ARN, the real
 * Powertools reader and AWS SDK against an endpoint where nothing listens). No caller can be authenticated, so no
 * verification starts; an AdmissionReview still gets a definite answer that follows the policy's mode (denied in
 * enforce, a warning in audit; admitted unpatched on /mutate), and other JSON the 400 with the parser's reason, never
 * a 5xx that failurePolicy: Ignore would turn into "admit everything". The log names the setting that failed, never
 * the secret.
 */

import { localLambdaContext, toFunctionUrlEvent } from '../../functions/url-event';
import { closedPortEndpoint } from '../shared/cache/fake-dynamo';
import { downUrl, loopbackTls } from './support/fake-notary';
import { captureLambdaOutput, decisionLines, metricTotal } from './support/lambda-output';
import { notaryPolicy, podReview, webhookUnderTest } from './support/webhook';

const APP = 'registry.example.com/team/app';
const IMAGE = `${APP}@sha256:${'a'.repeat(64)}`;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:notary-gate-webhook-token-AbCdEf';
const savedEnv = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    // The SDK's standard endpoint override: Secrets Manager is "down".
    AWS_ENDPOINT_URL_SECRETS_MANAGER: await closedPortEndpoint(),
  });
});
afterAll(() => {
  process.env = savedEnv;
});

async function gateWithUnreadableToken(mode: 'enforce' | 'audit') {
  const tls = await loopbackTls();
  return webhookUnderTest({
    policy: notaryPolicy({ match: APP, server: await downUrl(), ca: tls.cert, mode }),
    env: { WEBHOOK_TOKEN_SECRET_ARN: SECRET_ARN },
  });
}

describe('the webhook when Secrets Manager cannot give it its token', () => {
  it('denies in enforce mode with INTERNAL_ERROR, without verifying, and logs which setting failed', async () => {
    const answer = await (await gateWithUnreadableToken('enforce')).admit([IMAGE]);

    expect(answer.statusCode).toBe(200);
    expect(answer.response).toMatchObject({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: false });
    expect(answer.response.status?.message).toContain('INTERNAL_ERROR: notary-gate could not run');
    expect(answer.decisions).toEqual([expect.objectContaining({ decision: 'deny', deniedCodes: 'INTERNAL_ERROR' })]);
    expect(metricTotal(answer.output, 'Denials', { code: 'INTERNAL_ERROR' })).toBe(1);
    expect(metricTotal(answer.output, 'OriginRequests', { format: 'notary-v1' })).toBe(0);
    expect(answer.output.logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'request failed unexpectedly',
        error: expect.stringMatching(
          /^cannot read the webhook token from Secrets Manager \(WEBHOOK_TOKEN_SECRET_ARN\): .*ECONNREFUSED/,
        ),
      }),
    );
    expect(JSON.stringify(answer.output)).not.toContain('notary-gate-webhook-token');
  });

  it('admits in audit mode with an INTERNAL_ERROR warning', async () => {
    const answer = await (await gateWithUnreadableToken('audit')).admit([IMAGE]);

    expect(answer.response.allowed).toBe(true);
    expect(answer.response.warnings).toEqual([expect.stringContaining('INTERNAL_ERROR: notary-gate could not run')]);
    expect(answer.decisions).toEqual([expect.objectContaining({ decision: 'audit-deny' })]);
    expect(metricTotal(answer.output, 'AuditDenials', { code: 'INTERNAL_ERROR' })).toBe(1);
  });

  // This was a JSON 500 INTERNAL_ERROR; it is now the 400 the webhook gives the same body when the secret is readable.
  // The caller cannot be authenticated here, and that is safe: the reason is about the bytes it sent (against the
  // public AdmissionReview schema), never the secret or the failure, which go to the log only.
  it.each(['/validate', '/mutate'])(
    'answers JSON that is not an AdmissionReview on %s with 400 and the reason, recording no decision',
    async (url) => {
      const gate = await gateWithUnreadableToken('enforce');
      const event = toFunctionUrlEvent({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        sourceIp: '10.0.0.1',
        body: Buffer.from('{"not":"a review"}'),
      });
      const { result, output } = await captureLambdaOutput(() => gate.handler(event, localLambdaContext(30_000)));
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body ?? '')).toEqual({
        error: 'INVALID_ADMISSION_REVIEW',
        reason: 'not a valid AdmissionReview: apiVersion: must be admission.k8s.io/v1 or admission.k8s.io/v1beta1',
      });
      expect(result.body).not.toMatch(/Secrets Manager|ECONNREFUSED|notary-gate-webhook-token/);
      expect(decisionLines(output)).toEqual([]);
    },
  );

  it('admits an AdmissionReview on /mutate without a patch (the mutating webhook never denies)', async () => {
    const gate = await gateWithUnreadableToken('enforce');
    const event = toFunctionUrlEvent({
      method: 'POST',
      url: '/mutate',
      headers: { 'content-type': 'application/json' },
      sourceIp: '10.0.0.1',
      body: Buffer.from(podReview([IMAGE])),
    });
    const { result } = await captureLambdaOutput(() => gate.handler(event, localLambdaContext(30_000)));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '').response).toEqual({
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      allowed: true,
    });
  });
});
