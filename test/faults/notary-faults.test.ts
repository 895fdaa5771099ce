/**
 * The webhook as a whole when a rule's Notary server fails: down, silent past the deadline, answering 500,
 * garbage or endless bytes. Each case goes through the Lambda's middy chain and a runtime built from POLICY, and
 * must give a definite AdmissionReview answer with a code that says what happened: denied in enforce mode,
 * admitted with a warning in audit mode, one decision line in the log, and the metrics that count it.
 * Deadlines are made short through `?timeout=` or the Lambda's remaining time; nothing here measures time.
 */

import { expectAuditedDenial, expectEnforcedDenial } from './support/expect-decision';
import { downUrl, eventually, type Fake, loopbackTls, misbehave, startFake, type Tls } from './support/fake-notary';
import { metricTotal } from './support/lambda-output';
import { type CallLimits, notaryPolicy, webhookUnderTest } from './support/webhook';

const APP = 'registry.example.com/team/app';
const IMAGE = `${APP}@sha256:${'a'.repeat(64)}`;
/** ~250 ms left after the 750 ms margin: long enough to start the request, short for a silent server. */
const SHORT_QUERY: CallLimits = { timeoutQuery: '1s' };
const SHORT_LAMBDA: CallLimits = { lambdaTimeoutMs: 1_000 };

let tls: Tls;
const fakes: Fake[] = [];
beforeAll(async () => {
  tls = await loopbackTls();
});
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

interface NotaryFault {
  readonly name: string;
  /** Starts the failing server; returns its URL and the fake, if one runs. */
  start(): Promise<{ url: string; fake?: Fake }>;
  readonly limits?: CallLimits;
  readonly code: 'NOTARY_UNREACHABLE' | 'NOTARY_ERROR';
  readonly reason: RegExp;
  /** The NotaryErrors metric the transport reports, with its dimension; absent when the deadline cut it off. */
  readonly notaryErrors?: Record<string, string>;
  /** The deadline, not the transport, ended the request: the fake must see its connection abandoned. */
  readonly cutByDeadline?: boolean;
}

async function fake(handler: Parameters<typeof startFake>[0]) {
  const started = await startFake(handler, tls);
  fakes.push(started);
  return { url: started.url, fake: started };
}

const FAULTS: NotaryFault[] = [
  {
    name: 'is down (nothing listens on its port)',
    start: async () => ({ url: await downUrl() }),
    code: 'NOTARY_UNREACHABLE',
    reason: /Cannot reach Notary at https:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED/,
    notaryErrors: { code: 'NOTARY_UNREACHABLE' },
  },
  {
    name: 'never answers, past the apiserver timeout (?timeout=1s)',
    start: () => fake(misbehave.silent()),
    limits: SHORT_QUERY,
    code: 'NOTARY_UNREACHABLE',
    reason: /could not be verified before the admission deadline/,
    cutByDeadline: true,
  },
  {
    name: "never answers, past the Lambda's remaining time",
    start: () => fake(misbehave.silent()),
    limits: SHORT_LAMBDA,
    code: 'NOTARY_UNREACHABLE',
    reason: /could not be verified before the admission deadline/,
    cutByDeadline: true,
  },
  {
    name: 'answers 500',
    start: () => fake(misbehave.status(500)),
    code: 'NOTARY_ERROR',
    reason: /answered 500 for registry\.example\.com\/team\/app (root|timestamp)\.json/,
    notaryErrors: { status: '500' },
  },
  {
    name: 'answers 200 with garbage bytes',
    start: () => fake(misbehave.garbage()),
    code: 'NOTARY_ERROR',
    reason: /root metadata is not valid JSON/,
  },
  {
    name: 'streams endless bytes',
    start: () => fake(misbehave.endless()),
    code: 'NOTARY_ERROR',
    reason: /larger than \d+ bytes; refused/,
    notaryErrors: { code: 'NOTARY_ERROR' },
  },
];

describe('the webhook when a Notary server fails', () => {
  describe.each(FAULTS)('when Notary $name', (fault) => {
    it(`denies in enforce mode with ${fault.code}, one decision line and the Denials metric`, async () => {
      const { url, fake: server } = await fault.start();
      const gate = webhookUnderTest({
        policy: notaryPolicy({ match: APP, server: url, ca: tls.cert, mode: 'enforce' }),
      });

      const answer = await gate.admit([IMAGE], fault.limits);

      expectEnforcedDenial(answer, { image: IMAGE, code: fault.code, reason: fault.reason });
      if (fault.notaryErrors) expect(metricTotal(answer.output, 'NotaryErrors', fault.notaryErrors)).toBeGreaterThan(0);
      if (fault.cutByDeadline) {
        // The deadline aborted the request in flight: the server saw it arrive, then the client hang up.
        expect(server?.requests.length).toBeGreaterThan(0);
        expect(await eventually(() => server?.abandoned() === server?.requests.length)).toBe(true);
      }
    });

    it(`admits in audit mode with a ${fault.code} warning, and counts an audit denial`, async () => {
      const { url } = await fault.start();
      const gate = webhookUnderTest({ policy: notaryPolicy({ match: APP, server: url, ca: tls.cert, mode: 'audit' }) });

      const answer = await gate.admit([IMAGE], fault.limits);

      expectAuditedDenial(answer, { image: IMAGE, code: fault.code, reason: fault.reason });
    });
  });

  describe('when the deadline has already passed as the invocation starts', () => {
    it('answers NOTARY_UNREACHABLE from the deadline, not from the transport timeout of the silent server', async () => {
      const { url } = await fake(misbehave.silent());
      const gate = webhookUnderTest({
        policy: notaryPolicy({ match: APP, server: url, ca: tls.cert, mode: 'enforce' }),
      });
      // 500 ms left is inside the 750 ms margin: the deadline is behind us before any request goes out.
      const answer = await gate.admit([IMAGE], { lambdaTimeoutMs: 500 });
      expect(answer.response.allowed).toBe(false);
      expect(answer.decisions).toHaveLength(1);
      expect(answer.decisions[0]).toMatchObject({ deniedCodes: 'NOTARY_UNREACHABLE' });
      expect(answer.decisions[0]?.reason).toMatch(/before the admission deadline/);
    });
  });
});
