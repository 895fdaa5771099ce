/**
 * A refused path token is logged as one warning line the stack's metric filter counts (RejectedTokens alarm): the
 * only trace of a bad token rotation. The line names the code, the endpoint and the caller, never the token.
 */
import { createWebhookHandler } from '../../functions/app';
import { TOKEN_REJECTION_LOG } from '../../shared/log/token-rejection';
import { createRuntime } from '../../shared/runtime/runtime';
import type { Telemetry } from '../../shared/runtime/telemetry';
import { policy } from '../shared/decision/fakes';
import { context, fixture, urlEvent } from './events';

const TOKEN = 'current-token-0123456789abcdef';
const OLD_TOKEN = 'rotated-away-0123456789abcdef';

function setup() {
  const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  const telemetry: Telemetry = {
    observer: { count() {}, warn: (message, fields) => warnings.push({ message, fields }), debug() {} },
    logDecision() {},
    error() {},
    flush() {},
  };
  const runtime = createRuntime({
    policy: policy(),
    verifiers: [],
    telemetry,
    webhookToken: async () => ({ current: TOKEN }),
  });
  const handler = createWebhookHandler(async () => runtime, { telemetry });
  const post = async (path: string) =>
    (await handler(urlEvent('POST', path, fixture('pod-create.json')), context())).statusCode;
  return { post, warnings };
}

describe('a refused webhook token', () => {
  it('is logged once as token-rejected with TOKEN_INVALID, the endpoint and the caller, without the token', async () => {
    const { post, warnings } = setup();
    expect(await post(`/mutate/${OLD_TOKEN}`)).toBe(403);
    expect(warnings).toEqual([
      {
        message: expect.stringContaining('token rejected'),
        fields: {
          event: TOKEN_REJECTION_LOG.eventValue,
          code: 'TOKEN_INVALID',
          endpoint: 'mutate',
          sourceIp: '10.0.0.1',
        },
      },
    ]);
    expect(JSON.stringify(warnings)).not.toContain(OLD_TOKEN);
    expect(JSON.stringify(warnings)).not.toContain(TOKEN);
  });

  it('is logged as TOKEN_REQUIRED when the path has none', async () => {
    const { post, warnings } = setup();
    expect(await post('/validate')).toBe(403);
    expect(warnings.map((warning) => warning.fields?.code)).toEqual(['TOKEN_REQUIRED']);
    expect(warnings[0]?.fields?.endpoint).toBe('validate');
  });

  it('logs nothing for the right token', async () => {
    const { post, warnings } = setup();
    expect(await post(`/validate/${TOKEN}`)).toBe(200);
    expect(warnings).toEqual([]);
  });
});
