/**
 * The webhook as a whole when the token endpoint of a token-authenticated Notary server fails: it answers 500,
 * answers garbage, or never answers. The Notary server here answers every request with the Bearer challenge
 * notary-server sends under token auth, naming the failing realm.
 */

import { expectAuditedDenial, expectEnforcedDenial } from './support/expect-decision';
import { eventually, type Fake, loopbackTls, misbehave, startFake, type Tls } from './support/fake-notary';
import { metricTotal } from './support/lambda-output';
import { type CallLimits, notaryPolicy, SHORT_QUERY, webhookUnderTest } from './support/webhook';

const APP = 'registry.example.com/team/app';
const IMAGE = `${APP}@sha256:${'a'.repeat(64)}`;

let tls: Tls;
const fakes: Fake[] = [];
beforeAll(async () => {
  tls = await loopbackTls();
});
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function start(handler: Parameters<typeof startFake>[0], withTls?: Tls): Promise<Fake> {
  const fake = await startFake(handler, withTls);
  fakes.push(fake);
  return fake;
}

interface TokenFault {
  readonly name: string;
  readonly realm: Parameters<typeof startFake>[0];
  readonly limits?: CallLimits;
  readonly code: 'NOTARY_UNREACHABLE' | 'NOTARY_ERROR';
  readonly reason: RegExp;
  /** The OriginErrors dimension (besides format notary-v1) the token failure is counted with; absent when the deadline cut it off. */
  readonly notaryErrors?: Record<string, string>;
}

const FAULTS: TokenFault[] = [
  {
    name: 'answers 500',
    realm: misbehave.status(500),
    code: 'NOTARY_ERROR',
    reason: /Token endpoint http:\/\/127\.0\.0\.1:\d+ answered 500/,
    notaryErrors: { status: '500' },
  },
  {
    name: 'answers garbage',
    realm: misbehave.garbage(),
    code: 'NOTARY_ERROR',
    reason: /Token endpoint http:\/\/127\.0\.0\.1:\d+ answered with something that is not JSON/,
    notaryErrors: { code: 'NOTARY_ERROR' },
  },
  {
    name: 'never answers, past the apiserver timeout',
    realm: misbehave.silent(),
    limits: SHORT_QUERY,
    code: 'NOTARY_UNREACHABLE',
    reason: /could not be verified before the admission deadline/,
  },
];

/** A token endpoint that fails, and a Notary server that sends every client to it. */
async function notaryBehind(realm: TokenFault['realm']) {
  const tokens = await start(realm);
  const notary = await start(misbehave.challenge(`${tokens.url}/token`), tls);
  return { tokens, notary };
}

describe('the webhook when the token endpoint of a Notary server fails', () => {
  describe.each(FAULTS)('when the token endpoint $name', (fault) => {
    it(`denies in enforce mode with ${fault.code}, after asking for one token`, async () => {
      const { tokens, notary } = await notaryBehind(fault.realm);
      const gate = webhookUnderTest({
        policy: notaryPolicy({ match: APP, server: notary.url, ca: tls.cert, mode: 'enforce' }),
      });

      const answer = await gate.admit([IMAGE], fault.limits);

      expectEnforcedDenial(answer, { image: IMAGE, code: fault.code, reason: fault.reason });
      // root.json and timestamp.json are asked together; both wait on one token request (single flight).
      expect(tokens.requests).toHaveLength(1);
      expect(tokens.requests[0]?.path).toBe(
        '/token?service=notary-server&scope=repository%3Aregistry.example.com%2Fteam%2Fapp%3Apull',
      );
      expect(metricTotal(answer.output, 'TokenRequests')).toBe(1);
      if (fault.notaryErrors)
        expect(metricTotal(answer.output, 'OriginErrors', { format: 'notary-v1', ...fault.notaryErrors })).toBe(1);
      if (fault.limits) expect(await eventually(() => tokens.abandoned() === 1)).toBe(true);
    });

    it(`admits in audit mode with a ${fault.code} warning`, async () => {
      const { notary } = await notaryBehind(fault.realm);
      const gate = webhookUnderTest({
        policy: notaryPolicy({ match: APP, server: notary.url, ca: tls.cert, mode: 'audit' }),
      });

      const answer = await gate.admit([IMAGE], fault.limits);

      expectAuditedDenial(answer, { image: IMAGE, code: fault.code, reason: fault.reason });
    });
  });
});
