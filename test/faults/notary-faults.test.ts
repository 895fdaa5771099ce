/**
 * The webhook as a whole when a rule's Notary server fails: down, silent past the deadline, answering 500,
 * garbage or endless bytes. Each case goes through the Lambda's middy chain and a runtime built from POLICY, and
 * must give a definite AdmissionReview answer with a code that says what happened: denied in enforce mode,
 * admitted with a warning in audit mode, one decision line in the log, and the metrics that count it.
 * Deadlines are made short through `?timeout=` or the Lambda's remaining time; nothing here measures time.
 */

import { localLambdaContext, toFunctionUrlEvent } from '../../functions/url-event';
import { expectAuditedDenial, expectEnforcedDenial } from './support/expect-decision';
import { downUrl, eventually, type Fake, loopbackTls, misbehave, startFake, type Tls } from './support/fake-notary';
import { captureLambdaOutput, decisionLines, metricTotal } from './support/lambda-output';
import {
  type CallLimits,
  notaryPolicy,
  podReview,
  SHORT_LAMBDA,
  SHORT_QUERY,
  webhookUnderTest,
} from './support/webhook';

const APP = 'registry.example.com/team/app';
const IMAGE = `${APP}@sha256:${'a'.repeat(64)}`;

let tls: Tls;
/** A certificate the policy does not trust (a Notary whose TLS certificate was replaced). */
let untrustedTls: Tls;
const fakes: Fake[] = [];
beforeAll(async () => {
  [tls, untrustedTls] = await Promise.all([loopbackTls(), loopbackTls()]);
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
  /** The OriginErrors metric (format notary-v1) the transport reports, with its dimension; absent when the deadline cut it off. */
  readonly notaryErrors?: Record<string, string>;
  /** The deadline, not the transport, ended the request: the fake must see its connection abandoned. */
  readonly cutByDeadline?: boolean;
}

async function fake(handler: Parameters<typeof startFake>[0], serverTls: Tls = tls) {
  const started = await startFake(handler, serverTls);
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
    name: 'never answers, past the apiserver timeout (?timeout=2s)',
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
    name: 'presents a TLS certificate the policy does not trust',
    start: () => fake(misbehave.status(200), untrustedTls),
    code: 'NOTARY_UNREACHABLE',
    reason: /Cannot reach Notary at https:\/\/127\.0\.0\.1:\d+.*(certificate|CERT)/,
    notaryErrors: { code: 'NOTARY_UNREACHABLE' },
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
      if (fault.notaryErrors)
        expect(
          metricTotal(answer.output, 'OriginErrors', { format: 'notary-v1', ...fault.notaryErrors }),
        ).toBeGreaterThan(0);
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

  describe('when Notary trickles its answer slower than the per-request timeout', () => {
    it('denies with NOTARY_UNREACHABLE from the transport timeout, before the admission deadline', async () => {
      const { url, fake: server } = await fake(misbehave.trickle());
      const gate = webhookUnderTest({
        policy: notaryPolicy({ match: APP, server: url, ca: tls.cert, mode: 'enforce' }),
      });
      const answer = await gate.admit([IMAGE]); // the default 10 s apiserver timeout

      expectEnforcedDenial(answer, {
        image: IMAGE,
        code: 'NOTARY_UNREACHABLE',
        reason: /did not answer within 3000 ms/,
      });
      expect(
        metricTotal(answer.output, 'OriginErrors', { format: 'notary-v1', code: 'NOTARY_UNREACHABLE' }),
      ).toBeGreaterThan(0);
      // One wave (root, timestamp, and the plain-named snapshot, targets, targets/releases), each given up after 3 s.
      expect(server?.requests).toHaveLength(5);
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

  describe('when one repository hangs and the pod runs others', () => {
    it('keeps the verdicts of the other images and denies only the pending one', async () => {
      const { url } = await fake(misbehave.silent());
      const allowed = 'docker.io/library/alpine:3.19';
      const gate = webhookUnderTest({
        policy: {
          defaultAction: 'deny',
          rules: [
            { match: ['docker.io/library/**'], action: 'allow' },
            { match: [APP], notary: { server: url, caFile: tls.cert } },
          ],
        },
      });

      const answer = await gate.admit([allowed, IMAGE], SHORT_QUERY);

      expect(answer.response.allowed).toBe(false);
      expect(answer.response.status?.message).toMatch(
        /^notary-gate denied 1 of 2 images: spec\.containers\[1\]\.image/,
      );
      expect(answer.decisions).toHaveLength(1);
      expect(answer.decisions[0]?.images).toEqual([
        expect.objectContaining({ image: allowed, allowed: true, code: 'ALLOWED_BY_RULE' }),
        expect.objectContaining({ image: IMAGE, allowed: false, code: 'NOTARY_UNREACHABLE' }),
      ]);
    });
  });

  describe('when many admissions of one repository arrive while its Notary hangs', () => {
    it('answers each of them and sends Notary one wave of requests, not one per admission', async () => {
      const { url, fake: server } = await fake(misbehave.silent());
      const gate = webhookUnderTest({
        policy: notaryPolicy({ match: APP, server: url, ca: tls.cert, mode: 'enforce' }),
      });
      const admissions = 50;
      // One capture around all of them: `serve` runs concurrent invocations in one process.
      const { result, output } = await captureLambdaOutput(() =>
        Promise.all(
          Array.from({ length: admissions }, () =>
            gate.handler(
              toFunctionUrlEvent({
                method: 'POST',
                // No ?timeout=: under the 2 s one, 50 admissions on a loaded machine could reach the deadline before
                // every request of the wave had been sent, and the paths below are of requests received. With the
                // default deadline the transport's 3 s per-request timeout ends the wave; the denials are the same.
                url: '/validate',
                headers: { 'content-type': 'application/json' },
                sourceIp: '10.0.0.1',
                body: Buffer.from(podReview([IMAGE])),
              }),
              localLambdaContext(30_000),
            ),
          ),
        ),
      );

      const answers = result.map((answered) => JSON.parse(answered.body ?? '{}').response);
      expect(answers.filter((response) => response.allowed === false)).toHaveLength(admissions);
      expect(decisionLines(output)).toHaveLength(admissions);
      expect(metricTotal(output, 'Denials', { code: 'NOTARY_UNREACHABLE' })).toBe(admissions);
      // One wave, once: the concurrent admissions shared one fetch (single flight).
      expect(server?.requests.map((request) => request.path).sort()).toEqual([
        `/v2/${APP}/_trust/tuf/root.json`,
        `/v2/${APP}/_trust/tuf/snapshot.json`,
        `/v2/${APP}/_trust/tuf/targets.json`,
        `/v2/${APP}/_trust/tuf/targets/releases.json`,
        `/v2/${APP}/_trust/tuf/timestamp.json`,
      ]);
    });
  });
});
