import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createCache, createCacheFromEnv } from '../../../shared/cache/create';
import { createCacheDynamoClient } from '../../../shared/cache/dynamo-client';
import { MemoryStore } from '../../../shared/cache/memory-store';
import { TieredStore } from '../../../shared/cache/tiered-store';
import { type Dynalite, dynaliteEnv, startDynalite, TEST_CREDENTIALS } from '../../harness/dynalite';

const T0 = Date.UTC(2026, 0, 1);
const TABLE = 'factory-cache';

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
  await db.createTable(TABLE);
});
afterAll(() => db.stop());

/** Runs `body` with extra process.env entries, restoring the previous values afterwards. */
async function withProcessEnv<R>(extra: Record<string, string>, body: () => Promise<R>): Promise<R> {
  const saved = Object.fromEntries(Object.keys(extra).map((name) => [name, process.env[name]]));
  Object.assign(process.env, extra);
  try {
    return await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('cache factory', () => {
  describe('when CACHE_TABLE is not set', () => {
    it('keeps everything in process memory and flushes at once', async () => {
      const cache = createCacheFromEnv({});
      expect(cache.store).toBeInstanceOf(MemoryStore);
      await cache.store.put('k', { value: 1, storedAtMs: T0, expiresAtMs: T0 + 1000 });
      await expect(cache.store.get('k', T0)).resolves.toMatchObject({ value: 1 });
      await expect(cache.flush()).resolves.toBeUndefined();
    });

    it('treats an empty CACHE_TABLE as unset', () => {
      expect(createCacheFromEnv({ CACHE_TABLE: ' ' }).store).toBeInstanceOf(MemoryStore);
    });
  });

  describe('when CACHE_TABLE and AWS_ENDPOINT_URL_DYNAMODB are set', () => {
    it('puts memory in front of that table, at that endpoint', async () => {
      // Credentials come from the SDK's default chain (process.env here, the Lambda role in AWS).
      await withProcessEnv({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }, async () => {
        const cache = createCacheFromEnv({ CACHE_TABLE: TABLE, AWS_ENDPOINT_URL_DYNAMODB: db.endpoint });
        expect(cache.store).toBeInstanceOf(TieredStore);
        await cache.trustCache.getOrLoad(
          'notary-v1#https://notary.example#docker.io/library/alpine#any',
          async () => ({ value: { digest: 'sha256:aa' }, expiresAtMs: T0 + 86_400_000 }),
          { nowMs: T0, freshTtlMs: 300_000, maxStaleMs: 3_600_000 },
        );
        await cache.flush();
        const raw = await db.client().send(
          new GetItemCommand({
            TableName: TABLE,
            Key: { pk: { S: 'trust#notary-v1#https://notary.example#docker.io/library/alpine#any' } },
          }),
        );
        expect(raw.Item?.value?.S).toBe('{"kind":"value","value":{"digest":"sha256:aa"}}');
      });
    });
  });

  describe('the AWS SDK itself', () => {
    it('honours AWS_ENDPOINT_URL_DYNAMODB from process.env when no endpoint is passed', async () => {
      await withProcessEnv(dynaliteEnv(db.endpoint), async () => {
        const client = createCacheDynamoClient({ timeoutMs: 2000, credentials: TEST_CREDENTIALS });
        const before = db.requestCount('PutItem');
        await client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'sdk-env' } } }));
        expect(db.requestCount('PutItem')).toBe(before + 1);
        client.destroy();
      });
    });
  });

  describe('createCache with options (the CLI passes --cache-table this way)', () => {
    it('uses the named table', () => {
      const cache = createCache({ tableName: TABLE, endpoint: db.endpoint });
      expect(cache.store).toBeInstanceOf(TieredStore);
    });
  });
});
