/**
 * Stale-if-error through the webhook as a whole: a real notary-server serves the trust data once, then goes down.
 * With the evaluation clock moved forward (never waited for), the verified data keeps images admitted while it is
 * younger than the policy's maxStaleSeconds (from memory, and from DynamoDB on a cold instance), and is refused
 * beyond it: denied in enforce mode, a warning in audit mode.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { TRUST_KEY_PREFIX } from '../../shared/cache/trust-cache';
import { trustCacheKey } from '../../shared/notary/verifier';
import { describeWithNotary } from '../harness/availability';
import { type Dynalite, dynaliteEnv, startDynalite } from '../harness/dynalite';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';
import { expectAuditedDenial, expectEnforcedDenial } from './support/expect-decision';
import { metricTotal } from './support/lambda-output';
import { type Gate, webhookUnderTest } from './support/webhook';

const ENFORCED = 'registry.example.com/team/app';
const AUDITED = 'registry.example.com/team/audited';
const HEX = 'a'.repeat(64);
const FRESH_TTL_SECONDS = 60;
const MAX_STALE_SECONDS = 600;
const TABLE = 'notary-gate-cache';

describeWithNotary('the webhook when Notary goes down after a successful fetch', () => {
  let notary: NotaryHarness;
  let db: Dynalite;
  let policy: object;
  const t0 = Date.now();
  let nowMs = t0;
  const clock = () => nowMs;
  /** The instance that fetched the trust data (warm memory), on the shared DynamoDB table. */
  let warm: Gate;
  const savedEnv = { ...process.env };
  /** A new Lambda instance on the same table: empty memory. */
  const coldInstance = () =>
    webhookUnderTest({ policy, env: { ...dynaliteEnv(db.endpoint), CACHE_TABLE: TABLE }, clock });

  beforeAll(async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    [notary, db] = await Promise.all([startNotary(), startDynalite()]);
    await db.createTable(TABLE);
    await notary.seed(ENFORCED, { v1: HEX });
    await notary.seed(AUDITED, { v1: HEX });
    const rule = async (gun: string, mode: 'enforce' | 'audit') => ({
      match: [gun],
      mode,
      notary: { server: notary.url, caFile: notary.caPem, rootKeys: [await notary.rootCertPem(gun)] },
    });
    policy = {
      defaultAction: 'deny',
      rules: [await rule(ENFORCED, 'enforce'), await rule(AUDITED, 'audit')],
      cache: { freshTtlSeconds: FRESH_TTL_SECONDS, maxStaleSeconds: MAX_STALE_SECONDS },
    };
    warm = coldInstance();
    const first = await warm.admit([`${ENFORCED}@sha256:${HEX}`, `${AUDITED}@sha256:${HEX}`]);
    expect(first.decisions[0]).toMatchObject({
      decision: 'allow',
      images: [expect.objectContaining({ source: 'origin' }), expect.objectContaining({ source: 'origin' })],
    });
    await trustDataShared(ENFORCED);
    await notary.stop();
  }, 180_000);

  afterAll(async () => {
    process.env = savedEnv;
    await db?.stop();
  });

  /** Waits (bounded) until the warm instance's write of the trust data reached DynamoDB. */
  async function trustDataShared(gun: string): Promise<void> {
    const notarySettings = {
      server: notary.url,
      ca: undefined,
      rootKeys: [await notary.rootCertPem(gun)],
      delegations: undefined,
      auth: undefined,
    };
    const key = TRUST_KEY_PREFIX + trustCacheKey(notarySettings, gun);
    for (let attempt = 0; attempt < 100; attempt++) {
      const item = await db.client().send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key } } }));
      if (item.Item) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`the trust data of ${gun} never reached DynamoDB`);
  }

  it('answers from memory while the data is fresh, without asking Notary', async () => {
    nowMs = t0 + (FRESH_TTL_SECONDS - 1) * 1000;
    const answer = await warm.admit([`${ENFORCED}@sha256:${HEX}`]);
    expect(answer.decisions[0]).toMatchObject({
      decision: 'allow',
      images: [expect.objectContaining({ code: 'SIGNED', source: 'memory' })],
    });
    expect(metricTotal(answer.output, 'OriginRequests', { format: 'notary-v1' })).toBe(0);
  });

  describe('past the fresh TTL, within maxStaleSeconds', () => {
    beforeAll(() => {
      nowMs = t0 + (FRESH_TTL_SECONDS + 1) * 1000;
    });

    it('admits from stale verified data, marked stale in the log, warned and counted', async () => {
      const answer = await warm.admit([`${ENFORCED}@sha256:${HEX}`]);
      expect(answer.response.allowed).toBe(true);
      expect(answer.decisions).toHaveLength(1);
      expect(answer.decisions[0]).toMatchObject({
        decision: 'allow',
        images: [expect.objectContaining({ code: 'SIGNED', source: 'stale' })],
      });
      expect(metricTotal(answer.output, 'StaleServed')).toBe(1);
      expect(
        metricTotal(answer.output, 'OriginErrors', { format: 'notary-v1', code: 'NOTARY_UNREACHABLE' }),
      ).toBeGreaterThan(0);
      expect(answer.output.logs).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message: 'Notary failed; serving verified trust data from the cache (stale-if-error)',
          code: 'NOTARY_UNREACHABLE',
        }),
      );
    });

    it('admits on a cold instance too, from the verified data in DynamoDB', async () => {
      const answer = await coldInstance().admit([`${ENFORCED}@sha256:${HEX}`]);
      expect(answer.response.allowed).toBe(true);
      expect(answer.decisions[0]).toMatchObject({ images: [expect.objectContaining({ source: 'stale' })] });
      expect(metricTotal(answer.output, 'StaleServed')).toBe(1);
    });

    it('still refuses a digest that the stale data does not sign', async () => {
      const unsigned = `${ENFORCED}@sha256:${'b'.repeat(64)}`;
      const answer = await warm.admit([unsigned]);
      expectEnforcedDenial(answer, { image: unsigned, code: 'NOT_SIGNED', reason: /is not signed in/ });
    });
  });

  describe('beyond maxStaleSeconds', () => {
    beforeAll(() => {
      nowMs = t0 + (MAX_STALE_SECONDS + 1) * 1000;
    });

    it('denies in enforce mode with NOTARY_UNREACHABLE', async () => {
      const image = `${ENFORCED}@sha256:${HEX}`;
      const answer = await warm.admit([image]);
      expectEnforcedDenial(answer, {
        image,
        code: 'NOTARY_UNREACHABLE',
        reason: /Cannot reach Notary at https:\/\/127/,
      });
      expect(metricTotal(answer.output, 'StaleServed')).toBe(0);
    });

    it('admits in audit mode with a NOTARY_UNREACHABLE warning', async () => {
      const image = `${AUDITED}@sha256:${HEX}`;
      const answer = await warm.admit([image]);
      expectAuditedDenial(answer, {
        image,
        code: 'NOTARY_UNREACHABLE',
        reason: /Cannot reach Notary at https:\/\/127/,
      });
    });
  });
});
