/**
 * The real Notary verifier on the real cache stack: separate "instances" (each its own createCacheFromEnv: own
 * memory, shared dynalite table) against a real notary-server. Notary requests are counted at the transport,
 * DynamoDB requests at dynalite.
 */
import { createCacheFromEnv } from '../../shared/cache/create';
import { DynamoStore } from '../../shared/cache/dynamo-store';
import { trustStateKeys } from '../../shared/notary/repository-client';
import { describeWithNotary } from '../harness/availability';
import { DYNALITE_TIMEOUT_MS, type Dynalite, dynaliteEnv, startDynalite } from '../harness/dynalite';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';
import { InterceptingTransport, notaryRule, sharedTransport, verifierKit } from '../harness/verifier-kit';

const hex = (char: string) => char.repeat(64);
const digest = (char: string) => `sha256:${hex(char)}`;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const APP = 'registry.example.com/team/app';

describeWithNotary('the Notary verifier with the DynamoDB trust cache', () => {
  let notary: NotaryHarness;
  let db: Dynalite;
  let env: NodeJS.ProcessEnv;
  let tableSeq = 0;
  const savedEnv = { ...process.env };
  const rule = () => notaryRule({ server: notary.url, ca: notary.caPem });

  /** One Lambda instance (or CLI process): its own memory, the shared table, and a Notary request counter. */
  function instance() {
    const cache = createCacheFromEnv(env);
    const transport = new InterceptingTransport(sharedTransport);
    const kit = verifierKit({ store: cache.store, cache: cache.trustCache, http: transport });
    return { ...kit, cache, notaryRequests: () => transport.urls.length };
  }

  beforeAll(async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    db = await startDynalite();
    notary = await startNotary();
    await notary.seed(APP, { v1: hex('a') });
  }, 120_000);
  afterAll(async () => {
    process.env = savedEnv;
    await notary?.stop();
    await db?.stop();
  });
  beforeEach(async () => {
    const table = `cache-notary-${++tableSeq}`;
    await db.createTable(table);
    env = { ...dynaliteEnv(db.endpoint), CACHE_TABLE: table };
  });

  describe('when a second instance verifies an image the first one verified', () => {
    it('makes no Notary request and one DynamoDB round trip', async () => {
      const nowMs = Date.now();
      const first = instance();
      expect(await first.verify(`${APP}@${digest('a')}`, rule(), nowMs)).toMatchObject({
        allowed: true,
        source: 'origin',
      });
      expect(first.notaryRequests()).toBeGreaterThan(0);
      await first.cache.flush();

      const second = instance();
      db.resetCounts();
      expect(await second.verify(`${APP}@${digest('a')}`, rule(), nowMs + MINUTE)).toMatchObject({
        allowed: true,
        code: 'SIGNED',
        source: 'dynamodb',
      });
      expect(second.notaryRequests()).toBe(0);
      expect(db.requestCount()).toBe(1);
    });
  });

  describe('when an instance verifies a repository nobody has cached yet', () => {
    it('reads the trust entry, the remembered root and the versions in one DynamoDB round trip', async () => {
      const cold = instance();
      db.resetCounts();
      expect(await cold.verify(`${APP}@${digest('a')}`, rule(), Date.now())).toMatchObject({
        allowed: true,
        source: 'origin',
      });
      expect(db.requestCount('BatchGetItem')).toBe(1);
    });
  });

  describe('when another instance has seen a newer timestamp version', () => {
    it('a cold instance refuses the older metadata the server serves (ROLLBACK)', async () => {
      const nowMs = Date.now();
      // What an instance that saw timestamp version 1000 left in the table.
      const shared = new DynamoStore({
        tableName: env.CACHE_TABLE!,
        client: db.client(),
        timeoutMs: DYNALITE_TIMEOUT_MS,
      });
      await shared.putIfNewer(trustStateKeys(notary.url, APP).versions, {
        value: { timestamp: 1_000 },
        version: 1_000,
        storedAtMs: nowMs,
        expiresAtMs: nowMs + DAY,
      });
      const cold = instance();
      expect(await cold.verify(`${APP}@${digest('a')}`, rule(), nowMs)).toMatchObject({
        allowed: false,
        code: 'ROLLBACK',
      });
    });
  });

  // Last: it stops the server.
  describe('when the Notary server is stopped', () => {
    it('serves verified data from DynamoDB within max-stale (source stale), and denies beyond it', async () => {
      const nowMs = Date.now();
      const first = instance();
      await first.verify(`${APP}@${digest('a')}`, rule(), nowMs);
      await first.cache.flush();
      await notary.stop();

      const later = instance();
      expect(await later.verify(`${APP}@${digest('a')}`, rule(), nowMs + 30 * MINUTE)).toMatchObject({
        allowed: true,
        source: 'stale',
      });
      expect(later.notaryRequests()).toBeGreaterThan(0);
      expect(await instance().verify(`${APP}@${digest('a')}`, rule(), nowMs + 2 * 60 * MINUTE)).toMatchObject({
        allowed: false,
        code: 'NOTARY_UNREACHABLE',
      });
    });
  });
});
