/**
 * The webhook as a whole when its DynamoDB cache table fails: unreachable (nothing listens), throttling
 * (ProvisionedThroughputExceededException on every call) or silent. The trust cache is an optimisation, but the
 * remembered roots and version floors in the same table guard trust: a cold instance that cannot read them is
 * denied with TRUST_STATE_UNAVAILABLE (a warning in audit mode), never verified as a first use; an instance that
 * verified the repository itself goes on from its own state. The failures are warned and counted.
 */

import { describeWithNotary } from '../harness/availability';
import { type Dynalite, startDynalite, TEST_REGION } from '../harness/dynalite';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';
import type { FakeEndpoint } from '../shared/cache/fake-dynamo';
import {
  closedPortEndpoint,
  silentEndpoint,
  switchableEndpoint,
  throttlingEndpoint,
} from '../shared/cache/fake-dynamo';
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
    // The AWS SDK warns once per process about the node version; let that line land outside the tests' output.
    await webhookUnderTest({
      policy: notaryPolicy({ match: APP, server: notary.url, ca: notary.caPem, mode: 'enforce' }),
      env: cacheEnv(await closedPortEndpoint()),
    }).admit([SIGNED]);
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

    it('denies a signed digest on a cold instance with TRUST_STATE_UNAVAILABLE, without asking Notary', async () => {
      const answer = await gate('enforce').admit([SIGNED]);
      expectEnforcedDenial(answer, {
        image: SIGNED,
        code: 'TRUST_STATE_UNAVAILABLE',
        reason: /remembered root and version floors .* cannot be read/,
      });
      expect(metricTotal(answer.output, 'CacheStoreErrors', { reason: 'trust_state_unavailable' })).toBeGreaterThan(0);
      expect(metricTotal(answer.output, 'OriginRequests', { format: 'notary-v1' })).toBe(0);
      expect(answer.output.logs).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message: 'trust state store unavailable and nothing verified here; denying',
        }),
      );
      if (dynamo.fake) expect(dynamo.fake.requests()).toBeGreaterThan(0);
    });

    it('admits it in audit mode with a TRUST_STATE_UNAVAILABLE warning', async () => {
      const answer = await gate('audit').admit([SIGNED]);
      expectAuditedDenial(answer, {
        image: SIGNED,
        code: 'TRUST_STATE_UNAVAILABLE',
        reason: /refusing to trust it on first use/,
      });
    });

    it('denies with TRUST_STATE_UNAVAILABLE when Notary is down as well', async () => {
      const tls = await loopbackTls();
      const answer = await webhookUnderTest({
        policy: notaryPolicy({ match: APP, server: await downUrl(), ca: tls.cert, mode: 'enforce' }),
        env: cacheEnv(dynamo.endpoint),
      }).admit([SIGNED]);
      expectEnforcedDenial(answer, { image: SIGNED, code: 'TRUST_STATE_UNAVAILABLE', reason: /cannot be read/ });
    });
  });

  describe('when DynamoDB fails under an instance that verified the repository itself', () => {
    let db: Dynalite;
    let dynamo: Awaited<ReturnType<typeof switchableEndpoint>>;
    beforeAll(async () => {
      db = await startDynalite();
      await db.createTable(TABLE);
      dynamo = await switchableEndpoint(db.endpoint);
    });
    afterAll(async () => {
      await dynamo?.stop();
      await db?.stop();
    });

    it('goes on verifying from the state it verified itself, and says so', async () => {
      let now = Date.now();
      const gate = webhookUnderTest({
        policy: notaryPolicy({ match: APP, server: notary.url, ca: notary.caPem, mode: 'enforce' }),
        env: cacheEnv(dynamo.endpoint),
        clock: () => now,
      });
      dynamo.up = true;
      expect((await gate.admit([SIGNED])).response).toMatchObject({ allowed: true });

      dynamo.up = false;
      now += 2 * 3_600_000; // past the fresh TTL and max-stale: this admission goes to Notary
      const answer = await gate.admit([SIGNED, UNSIGNED]);
      expect(answer.decisions[0]).toMatchObject({
        images: [
          expect.objectContaining({ image: SIGNED, allowed: true, code: 'SIGNED', source: 'origin' }),
          expect.objectContaining({ image: UNSIGNED, allowed: false, code: 'NOT_SIGNED' }),
        ],
      });
      expect(answer.output.logs).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message: 'trust state store unavailable; verifying from the state this instance verified',
        }),
      );
    }, 30_000);
  });
});
