/**
 * The Lambda entry itself (functions/webhook.ts `handler`, configured from process.env as in AWS) under a Notary
 * outage: the same definite answer, decision line and metrics as the composed chain the other fault tests use.
 */
import { localLambdaContext, toFunctionUrlEvent } from '../../functions/url-event';
import type { ReviewBody } from '../functions/events';
import { downUrl, loopbackTls } from './support/fake-notary';
import { captureLambdaOutput, decisionLines, metricTotal } from './support/lambda-output';
import { notaryPolicy, podReview } from './support/webhook';

const APP = 'registry.example.com/team/app';
const IMAGE = `${APP}@sha256:${'a'.repeat(64)}`;
const savedEnv = { ...process.env };

afterAll(() => {
  process.env = savedEnv;
});

describe('the Lambda entry when Notary is down', () => {
  it('denies with NOTARY_UNREACHABLE, writing one decision line and the Denials metric', async () => {
    const tls = await loopbackTls();
    process.env.POLICY = JSON.stringify(
      notaryPolicy({ match: APP, server: await downUrl(), ca: tls.cert, mode: 'enforce' }),
    );
    // Imported after POLICY is set: the entry builds its runtime from process.env on its first request.
    const { handler } = await import('../../functions/webhook');
    const event = toFunctionUrlEvent({
      method: 'POST',
      url: '/validate?timeout=10s',
      headers: { 'content-type': 'application/json' },
      sourceIp: '10.0.0.1',
      body: Buffer.from(podReview([IMAGE])),
    });

    const { result, output } = await captureLambdaOutput(() => handler(event, localLambdaContext(30_000)));

    expect(result.statusCode).toBe(200);
    const { response } = JSON.parse(result.body ?? '{}') as ReviewBody;
    expect(response).toMatchObject({ allowed: false, status: { code: 403 } });
    expect(response.status?.message).toContain(`"${IMAGE}": NOTARY_UNREACHABLE: Cannot reach Notary`);
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({
        decision: 'deny',
        deniedCodes: 'NOTARY_UNREACHABLE',
        function_name: 'notary-gate-local',
      }),
    ]);
    expect(metricTotal(output, 'Denials', { code: 'NOTARY_UNREACHABLE' })).toBe(1);
    expect(metricTotal(output, 'OriginErrors', { format: 'notary-v1', code: 'NOTARY_UNREACHABLE' })).toBeGreaterThan(0);
  });
});
