/**
 * The webhook as a whole when its DynamoDB cache table fails: unreachable (nothing listens), throttling
 * (ProvisionedThroughputExceededException on every call) or silent. DynamoDB is an optimisation, never a reason to
 * deny: the trust data comes from a real notary-server instead, the decision is the one Notary's data gives, and
 * the failures are warned and counted. When Notary is down too, the answer is NOTARY_UNREACHABLE, as without a cache.
 */

import { describeWithNotary } from '../harness/availability';
import { TEST_REGION } from '../harness/dynalite';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';
import type { FakeEndpoint } from '../shared/cache/fake-dynamo';
import { closedPortEndpoint, silentEndpoint, throttlingEndpoint } from '../shared/cache/fake-dynamo';
import { expectAuditedDenial, expectEnforcedDenial } from './support/expect-decision';
import { downUrl, loopbackTls } from './support/fake-notary';
import { metricTotal } from './support/lambda-output';
import { notaryPolicy, webhookUnderTest } from './support/webhook';

const APP = 'registry.example.com/team/app';
const SIGNED = `${APP}@sha256:${'a'.repeat(64)}`;
const UNSIGNED = `${APP}@sha256:${'b'.repeat(64)}`;
const TABLE = 'notary-gate-cache';

interface DynamoFault {
  readonly name: string;
  start(): Promise<{ endpoint: string; fake?: FakeEndpoint }>;
}

const FAULTS: DynamoFault[] = [
  {
    name: 'is unreachable (nothing listens on its port)',
    start: async () => ({ endpoint: await closedPortEndpoint() }),
  },
  {
    name: 'throttles every call (ProvisionedThroughputExceededException)',
    start: async () => {
      const fake = await throttlingEndpoint('ProvisionedThroughputExceededException');
      return { endpoint: fake.endpoint, fake };
    },
  },
  {
    // Bounded by the cache client's own timeout (800 ms per call), well inside the admission deadline.
    name: 'accepts connections and never answers',
    start: async () => {
      const fake = await silentEndpoint();
      return { endpoint: fake.endpoint, fake };
    },
  },
];

const savedEnv = { ...process.env };
beforeAll(() => {
  // The SDK's default credential chain reads process.env; without keys it would probe instance metadata.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
});
afterAll(() => {
  process.env = savedEnv;
});

function cacheEnv(endpoint: string) {
  return { CACHE_TABLE: TABLE, AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_REGION: TEST_REGION };
}

describeWithNotary('the webhook when its DynamoDB cache fails', () => {
  let notary: NotaryHarness;
  let rootKey: string;
  beforeAll(async () => {
    notary = await startNotary();
    await notary.seed(APP, { v1: 'a'.repeat(64) });
    rootKey = await notary.rootCertPem(APP);
  }, 180_000);
  afterAll(() => notary?.stop());

  describe.each(FAULTS)('when DynamoDB $name', (fault) => {
    let dynamo: { endpoint: string; fake?: FakeEndpoint };
    beforeEach(async () => {
      dynamo = await fault.start();
    });
    afterEach(() => dynamo.fake?.stop());

    const gate = (mode: 'enforce' | 'audit') =>
      webhookUnderTest({
        policy: notaryPolicy({ match: APP, server: notary.url, ca: notary.caPem, rootKeys: [rootKey], mode }),
        env: cacheEnv(dynamo.endpoint),
      });

    it('admits a signed digest verified at Notary, and warns and counts the failed reads', async () => {
      const answer = await gate('enforce').admit([SIGNED]);

      expect(answer.response).toMatchObject({ allowed: true });
      expect(answer.decisions).toHaveLength(1);
      expect(answer.decisions[0]).toMatchObject({
        decision: 'allow',
        images: [expect.objectContaining({ code: 'SIGNED', source: 'origin' })],
      });
      expect(metricTotal(answer.output, 'Admissions', { decision: 'allow' })).toBe(1);
      expect(metricTotal(answer.output, 'CacheStoreErrors', { reason: 'read_error' })).toBeGreaterThan(0);
      expect(answer.output.logs).toContainEqual(
        expect.objectContaining({ level: 'WARN', message: 'DynamoDB cache read failed; treating it as a miss' }),
      );
      if (dynamo.fake) expect(dynamo.fake.requests()).toBeGreaterThan(0);
    });

    it('denies an unsigned digest in enforce mode with NOT_SIGNED, as Notary says', async () => {
      const answer = await gate('enforce').admit([UNSIGNED]);
      expectEnforcedDenial(answer, { image: UNSIGNED, code: 'NOT_SIGNED', reason: /is not signed in/ });
    });

    it('admits an unsigned digest in audit mode with a NOT_SIGNED warning', async () => {
      const answer = await gate('audit').admit([UNSIGNED]);
      expectAuditedDenial(answer, { image: UNSIGNED, code: 'NOT_SIGNED', reason: /is not signed in/ });
    });

    it('denies with NOTARY_UNREACHABLE when Notary is down as well', async () => {
      const tls = await loopbackTls();
      const answer = await webhookUnderTest({
        policy: notaryPolicy({ match: APP, server: await downUrl(), ca: tls.cert, mode: 'enforce' }),
        env: cacheEnv(dynamo.endpoint),
      }).admit([SIGNED]);
      expectEnforcedDenial(answer, { image: SIGNED, code: 'NOTARY_UNREACHABLE', reason: /Cannot reach Notary/ });
    });
  });
});
