/**
 * The error handler's last resort and the flush: when recording an answer fails (a logger or metrics sink that
 * throws), the request is still answered as it would have been, never a rejected invocation (a 502 from the function
 * URL, a 500 from `serve`), and a flush that fails never changes an answer already decided.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createWebhookHandler } from '../../functions/app';
import type { DecisionEngine } from '../../shared/decision/engine';
import { InvalidPolicyError } from '../../shared/errors';
import type { DigestPinner } from '../../shared/mutate/pinner';
import type { Mode } from '../../shared/policy/types';
import { createRuntime, type Runtime } from '../../shared/runtime/runtime';
import type { Telemetry } from '../../shared/runtime/telemetry';
import { FakeVerifier, policy, recordingTelemetry, rule } from '../shared/decision/fakes';
import { context, fixture, urlEvent } from './events';

const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';

/** Telemetry whose decision record, error line and (optionally) flush throw, as a broken sink would. */
function throwingTelemetry(options: { flush?: boolean; records?: boolean } = { records: true }) {
  const { telemetry, recorded } = recordingTelemetry();
  const broken = (): never => {
    throw new Error('log sink is gone');
  };
  const result: Telemetry = {
    ...telemetry,
    ...(options.records && { logDecision: broken, error: broken }),
    ...(options.flush && { flush: broken }),
  };
  return { telemetry: result, recorded };
}

function runtimeWith(telemetry: Telemetry, mode: Mode, parts: { failing?: 'engine' | 'pinner' } = {}): Runtime {
  const base = createRuntime({
    policy: policy({ mode, rules: [rule(['docker.io/**'], { action: 'allow' })] }),
    verifiers: [new FakeVerifier()],
    telemetry,
  });
  const boom = async () => Promise.reject(new Error('boom'));
  if (parts.failing === 'engine') return { ...base, engine: { review: boom } as unknown as DecisionEngine };
  if (parts.failing === 'pinner') return { ...base, pinner: { pin: boom } as unknown as DigestPinner };
  return base;
}

async function call(handler: ReturnType<typeof createWebhookHandler>, event: APIGatewayProxyEventV2) {
  const result = await handler(event, context());
  return { status: result.statusCode, json: JSON.parse(result.body ?? 'null') };
}

let stderr: jest.SpyInstance;
beforeEach(() => {
  stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => stderr.mockRestore());

/** The JSON lines the last resort wrote to standard error. */
function stderrLines(): Record<string, unknown>[] {
  return stderr.mock.calls.map(([line]) => JSON.parse(String(line)));
}

describe('when answering a failure fails too (the telemetry throws)', () => {
  it('still denies the parsed admission with its uid in enforce mode, and says so on standard error', async () => {
    const { telemetry } = throwingTelemetry();
    const handler = createWebhookHandler(async () => runtimeWith(telemetry, 'enforce', { failing: 'engine' }));
    const { status, json } = await call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')));
    expect(status).toBe(200);
    expect(json.response).toMatchObject({
      uid: UID,
      allowed: false,
      status: { code: 403, message: expect.stringContaining('INTERNAL_ERROR: notary-gate failed while answering') },
    });
    expect(stderrLines()).toEqual([
      {
        level: 'ERROR',
        message: 'answering an error failed; answered unrecorded',
        error: expect.stringContaining('log sink is gone'),
      },
    ]);
  });

  it('admits with the warning in audit mode, as the recorded answer would', async () => {
    const { telemetry } = throwingTelemetry();
    const handler = createWebhookHandler(async () => runtimeWith(telemetry, 'audit', { failing: 'engine' }));
    const { status, json } = await call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')));
    expect(status).toBe(200);
    expect(json.response).toMatchObject({
      uid: UID,
      allowed: true,
      warnings: [expect.stringContaining('INTERNAL_ERROR')],
    });
  });

  it('admits unpatched on /mutate when the pinner and then the telemetry fail', async () => {
    const { telemetry } = throwingTelemetry();
    const handler = createWebhookHandler(async () => runtimeWith(telemetry, 'enforce', { failing: 'pinner' }));
    const { status, json } = await call(handler, urlEvent('POST', '/mutate', fixture('pod-create.json')));
    expect(status).toBe(200);
    expect(json.response).toEqual({ uid: UID, allowed: true });
  });

  it.each(['/validate', '/mutate'])(
    'answers %s like a broken configuration when the policy does not load and the fallback telemetry throws',
    async (endpoint) => {
      const { telemetry } = throwingTelemetry();
      const handler = createWebhookHandler(
        async () => {
          throw new InvalidPolicyError('rules[0].match: required');
        },
        { telemetry },
      );
      const review = await call(handler, urlEvent('POST', endpoint, fixture('pod-create.json')));
      expect(review).toMatchObject({
        status: 200,
        json: { response: { uid: UID, allowed: endpoint === '/mutate' } },
      });
      await expect(call(handler, urlEvent('POST', endpoint, '{"not":"a review"}'))).resolves.toMatchObject({
        status: 400,
        json: { error: 'INVALID_ADMISSION_REVIEW', reason: expect.stringContaining('apiVersion') },
      });
    },
  );
});

describe('when the flush fails (the metrics sink throws)', () => {
  it('keeps the decided answer and its one decision record, and warns', async () => {
    const { telemetry, recorded } = throwingTelemetry({ flush: true });
    const handler = createWebhookHandler(async () => runtimeWith(telemetry, 'enforce'));
    const { status, json } = await call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')));
    expect(status).toBe(200);
    expect(json.response).toMatchObject({ uid: UID, allowed: true });
    expect(recorded.decisions).toEqual([expect.objectContaining({ uid: UID, decision: 'allow' })]);
    expect(recorded.errors).toEqual([]);
    expect(recorded.warnings).toEqual(['flush failed; the answer stands']);
  });

  it('keeps the error answer instead of rejecting the invocation', async () => {
    const { telemetry, recorded } = throwingTelemetry({ flush: true });
    const handler = createWebhookHandler(async () => runtimeWith(telemetry, 'enforce', { failing: 'engine' }));
    const { status, json } = await call(handler, urlEvent('POST', '/validate', fixture('pod-create.json')));
    expect(status).toBe(200);
    expect(json.response).toMatchObject({ uid: UID, allowed: false });
    expect(recorded.decisions).toEqual([expect.objectContaining({ uid: UID, decision: 'deny' })]);
  });
});
