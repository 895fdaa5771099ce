/**
 * The webhook when the Secrets Manager secret holding its token cannot be read (WEBHOOK_TOKEN_SECRET_ARN, the real
 * Powertools reader and AWS SDK against an endpoint where nothing listens). Without the token no caller can be
 * authenticated, so no AdmissionReview is read or answered: a 500 that says nothing of the secret, and the
 * apiserver's failurePolicy decides. No verification work starts; the log says what failed.
 */
import { closedPortEndpoint } from '../shared/cache/fake-dynamo';
import { downUrl, loopbackTls } from './support/fake-notary';
import { notaryPolicy, webhookUnderTest } from './support/webhook';

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

describe('the webhook when Secrets Manager cannot give it its token', () => {
  it('answers 500 without reading the review, naming no secret, and logs the failure', async () => {
    const tls = await loopbackTls();
    const gate = webhookUnderTest({
      policy: notaryPolicy({ match: APP, server: await downUrl(), ca: tls.cert, mode: 'enforce' }),
      env: { WEBHOOK_TOKEN_SECRET_ARN: SECRET_ARN },
    });

    const answer = await gate.admit([IMAGE]);

    expect(answer.statusCode).toBe(500);
    expect(answer.body).toEqual({ error: 'INTERNAL_ERROR', reason: 'internal error' });
    expect(answer.decisions).toEqual([]);
    expect(answer.output.metrics.filter((point) => point.name === 'NotaryRequests')).toEqual([]);
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
});
