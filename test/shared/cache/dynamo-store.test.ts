import {
  type BatchGetItemCommandOutput,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { createCacheDynamoClient } from '../../../shared/cache/dynamo-client';
import { DynamoStore } from '../../../shared/cache/dynamo-store';
import { CacheStoreUnavailableError } from '../../../shared/cache/store-errors';
import { CACHE_TABLE_SCHEMA } from '../../../shared/constants';
import { METRIC } from '../../../shared/observer';
import {
  DYNALITE_TIMEOUT_MS,
  type Dynalite,
  startDynalite,
  TEST_CREDENTIALS,
  TEST_REGION,
} from '../../harness/dynalite';
import { closedPortEndpoint, silentEndpoint, throttlingEndpoint } from './fake-dynamo';
import { recordingObserver } from './recording-observer';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
const TABLE = 'notary-gate-cache';

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
  await db.createTable(TABLE);
});
afterAll(() => db.stop());
beforeEach(() => db.resetCounts());

let keySeq = 0;
/** Keys unique per test, so tests share one table without seeing each other's items. */
const freshKey = (name: string) => `test#${++keySeq}#${name}`;

function newStore(observer = recordingObserver()) {
  return {
    observer,
    store: new DynamoStore({ tableName: TABLE, client: db.client(), observer, timeoutMs: DYNALITE_TIMEOUT_MS }),
  };
}

async function rawItem(key: string) {
  const out = await db
    .client()
    .send(new GetItemCommand({ TableName: TABLE, Key: { [CACHE_TABLE_SCHEMA.partitionKey]: { S: key } } }));
  return out.Item;
}

describe('DynamoDB store (against dynalite)', () => {
  describe('when an item is written and read back', () => {
    it('returns the value, its instants and its version', async () => {
      const { store } = newStore();
      const key = freshKey('roundtrip');
      await store.put(key, { value: { tags: { v1: 'sha256:aa' } }, storedAtMs: T0, expiresAtMs: T0 + 60_000 });
      await expect(store.get(key, T0)).resolves.toEqual({
        value: { tags: { v1: 'sha256:aa' } },
        storedAtMs: T0,
        expiresAtMs: T0 + 60_000,
      });
      await expect(store.getWithTier(key, T0)).resolves.toMatchObject({ tier: 'dynamodb' });
    });

    it('writes the TTL attribute the CDK table declares, in epoch seconds rounded up, and the value as compact JSON', async () => {
      const { store } = newStore();
      const key = freshKey('ttl');
      await store.put(key, { value: { a: [1, 2] }, storedAtMs: T0, expiresAtMs: T0 + 60_000 });
      const raw = await rawItem(key);
      expect(raw?.[CACHE_TABLE_SCHEMA.ttlAttribute]).toEqual({ N: String(Math.ceil((T0 + 60_000) / 1000)) });
      expect(Number(raw?.[CACHE_TABLE_SCHEMA.ttlAttribute]?.N) * 1000).toBeGreaterThanOrEqual(T0 + 60_000);
      expect(raw?.value).toEqual({ S: '{"a":[1,2]}' });
    });
  });

  describe('when an item has expired but DynamoDB has not deleted it yet', () => {
    it('is a miss, although the item is still in the table', async () => {
      const { store } = newStore();
      const key = freshKey('expired');
      await store.put(key, { value: 'v', storedAtMs: T0, expiresAtMs: T0 + 1000 });
      await expect(store.get(key, T0 + 999)).resolves.toBeDefined();
      await expect(store.get(key, T0 + 1000)).resolves.toBeUndefined();
      expect(await rawItem(key)).toBeDefined();
    });
  });

  describe('when several reads are issued in the same tick', () => {
    it('sends one BatchGetItem for all of them', async () => {
      const { store } = newStore();
      const keys = Array.from({ length: 30 }, (_, i) => freshKey(`batch-${i}`));
      await Promise.all(keys.map((key, i) => store.put(key, { value: i, storedAtMs: T0, expiresAtMs: T0 + 60_000 })));
      db.resetCounts();
      const items = await Promise.all([...keys, freshKey('absent')].map((key) => store.get(key, T0)));
      expect(items.map((item) => item?.value)).toEqual([...keys.map((_, i) => i), undefined]);
      expect(db.requestCount('BatchGetItem')).toBe(1);
      expect(db.requestCount()).toBe(1);
    });

    it('asks once for a key requested many times', async () => {
      const { store } = newStore();
      const key = freshKey('dup');
      await store.put(key, { value: 'x', storedAtMs: T0, expiresAtMs: T0 + 60_000 });
      db.resetCounts();
      const items = await Promise.all(Array.from({ length: 5 }, () => store.get(key, T0)));
      expect(items.every((item) => item?.value === 'x')).toBe(true);
      expect(db.requestCount('BatchGetItem')).toBe(1);
    });

    it('splits more than 100 keys into batches of 100 (the BatchGetItem limit)', async () => {
      const { store } = newStore();
      const keys = Array.from({ length: 250 }, (_, i) => freshKey(`chunk-${i}`));
      const items = await Promise.all(keys.map((key) => store.get(key, T0)));
      expect(items.every((item) => item === undefined)).toBe(true);
      expect(db.requestCount('BatchGetItem')).toBe(3);
    });

    it('includes reads issued after awaits within the same turn of the event loop', async () => {
      const { store } = newStore();
      const afterAwaits = async (key: string, hops: number) => {
        for (let i = 0; i < hops; i++) await Promise.resolve();
        return store.get(key, T0);
      };
      await Promise.all([0, 1, 5, 20].map((hops) => afterAwaits(freshKey(`hops-${hops}`), hops)));
      expect(db.requestCount('BatchGetItem')).toBe(1);
    });
  });

  describe('when DynamoDB leaves keys unprocessed', () => {
    it('asks again for those keys and returns every item', async () => {
      const { store: writer } = newStore();
      const keys = [freshKey('u1'), freshKey('u2'), freshKey('u3')];
      await Promise.all(keys.map((key) => writer.put(key, { value: key, storedAtMs: T0, expiresAtMs: T0 + 60_000 })));
      const client = db.client();
      let first = true;
      // Fault injection on the real response: the first answer moves one found item to UnprocessedKeys.
      client.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          const output = result.output as BatchGetItemCommandOutput;
          const found = output.Responses?.[TABLE];
          if (first && found && found.length > 1) {
            first = false;
            const held = found.pop()!;
            output.UnprocessedKeys = { [TABLE]: { Keys: [{ pk: held.pk! }] } };
          }
          return result;
        },
        { step: 'initialize', name: 'holdBackOneKey' },
      );
      const observer = recordingObserver();
      const store = new DynamoStore({ tableName: TABLE, client, observer, timeoutMs: DYNALITE_TIMEOUT_MS });
      db.resetCounts();
      const items = await Promise.all(keys.map((key) => store.get(key, T0)));
      expect(items.map((item) => item?.value)).toEqual(keys);
      expect(db.requestCount('BatchGetItem')).toBe(2);
      expect(observer.total(METRIC.cacheStoreErrors)).toBe(0);
    });

    it('gives up after a few tries: a miss for get, an outage for getStrict, counted', async () => {
      const client = db.client();
      // Every answer hands all requested keys back as unprocessed.
      client.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          const output = result.output as BatchGetItemCommandOutput;
          const input = (args.input as { RequestItems: Record<string, { Keys: unknown[] }> }).RequestItems[TABLE];
          output.Responses = { [TABLE]: [] };
          output.UnprocessedKeys = { [TABLE]: { Keys: input?.Keys as never } };
          return result;
        },
        { step: 'initialize', name: 'holdBackEverything' },
      );
      const observer = recordingObserver();
      const store = new DynamoStore({ tableName: TABLE, client, observer, timeoutMs: DYNALITE_TIMEOUT_MS });
      await expect(store.get(freshKey('never'), T0)).resolves.toBeUndefined();
      await expect(store.getStrict(freshKey('never'), T0)).rejects.toBeInstanceOf(CacheStoreUnavailableError);
      expect(db.requestCount('BatchGetItem')).toBe(6);
      expect(observer.total(METRIC.cacheStoreErrors, 'unprocessed')).toBe(2);
    });
  });

  describe('putIfNewer', () => {
    it('writes the first version, a higher one, and refuses an equal or lower one', async () => {
      const { store } = newStore();
      const key = freshKey('versions');
      const at = (version: number, value: string) => ({ value, version, storedAtMs: T0, expiresAtMs: T0 + 60_000 });
      await expect(store.putIfNewer(key, at(5, 'five'))).resolves.toBe(true);
      await expect(store.putIfNewer(key, at(4, 'four'))).resolves.toBe(false);
      await expect(store.putIfNewerOutcome(key, at(5, 'other five'))).resolves.toBe('refused');
      await expect(store.get(key, T0)).resolves.toMatchObject({ value: 'five', version: 5 });
      await expect(store.putIfNewer(key, at(6, 'six'))).resolves.toBe(true);
      await expect(store.get(key, T0)).resolves.toMatchObject({ value: 'six', version: 6 });
    });

    it('replaces an item that had expired by the time of the write, whatever its version', async () => {
      const { store } = newStore();
      const key = freshKey('expired-version');
      await store.putIfNewer(key, { value: 'old', version: 9, storedAtMs: T0, expiresAtMs: T0 + 1000 });
      const later = { value: 'new', version: 1, storedAtMs: T0 + 2000, expiresAtMs: T0 + 60_000 };
      await expect(store.putIfNewer(key, later)).resolves.toBe(true);
    });
  });

  describe('when an item is too large for DynamoDB', () => {
    it('does not send it, and warns and counts instead', async () => {
      const { store, observer } = newStore();
      const key = freshKey('huge');
      await store.put(key, { value: 'x'.repeat(400 * 1024), storedAtMs: T0, expiresAtMs: T0 + 60_000 });
      expect(db.requestCount('PutItem')).toBe(0);
      expect(observer.total(METRIC.cacheStoreErrors, 'item_too_large')).toBe(1);
    });
  });

  describe('when a stored item is malformed', () => {
    it('is a miss, counted', async () => {
      const { store, observer } = newStore();
      const key = freshKey('malformed');
      await db.client().send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: key }, value: { S: '{' } } }));
      await expect(store.get(key, T0)).resolves.toBeUndefined();
      expect(observer.total(METRIC.cacheStoreErrors, 'malformed_item')).toBe(1);
    });
  });

  describe('flush', () => {
    it('resolves once writes nobody awaited have landed', async () => {
      const { store } = newStore();
      const keys = [freshKey('f1'), freshKey('f2')];
      for (const key of keys) void store.put(key, { value: key, storedAtMs: T0, expiresAtMs: T0 + 60_000 });
      await store.flush();
      expect(db.requestCount('PutItem')).toBe(2);
      for (const key of keys) expect(await rawItem(key)).toBeDefined();
    });
  });
});

describe('DynamoDB store when DynamoDB fails', () => {
  const clientFor = (endpoint: string, timeoutMs = 2000) =>
    createCacheDynamoClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, timeoutMs });

  describe('when nothing listens on the endpoint', () => {
    it('reads are misses and writes are dropped, without throwing, each counted', async () => {
      const observer = recordingObserver();
      const store = new DynamoStore({ tableName: TABLE, client: clientFor(await closedPortEndpoint()), observer });
      await expect(store.get('k', T0)).resolves.toBeUndefined();
      await expect(store.put('k', { value: 1, storedAtMs: T0, expiresAtMs: T0 + 1000 })).resolves.toBeUndefined();
      const versioned = { value: 1, version: 1, storedAtMs: T0, expiresAtMs: T0 + 1000 };
      await expect(store.putIfNewerOutcome('k', versioned)).resolves.toBe('unavailable');
      await expect(store.flush()).resolves.toBeUndefined();
      expect(observer.total(METRIC.cacheStoreErrors, 'read_error')).toBe(1);
      // The failed read opened the circuit: the writes were skipped without a request.
      expect(observer.total(METRIC.cacheStoreErrors, 'circuit_open')).toBe(2);
      expect(observer.warnings).toHaveLength(1);
      expect(observer.warnings[0]?.fields).toMatchObject({ skippingForMs: 30_000 });
    });
  });

  describe('when a caller needs to tell "absent" from "unknown" (getStrict)', () => {
    it('rejects with CacheStoreUnavailableError when DynamoDB cannot be reached', async () => {
      const store = new DynamoStore({ tableName: TABLE, client: clientFor(await closedPortEndpoint()) });
      const failure = store.getStrict('root#server#gun', T0);
      await expect(failure).rejects.toBeInstanceOf(CacheStoreUnavailableError);
      await expect(failure).rejects.toMatchObject({ code: 'CACHE_STORE_UNAVAILABLE' });
    });

    it('resolves undefined when DynamoDB answers that the item is absent', async () => {
      const store = new DynamoStore({ tableName: TABLE, client: db.client(), timeoutMs: DYNALITE_TIMEOUT_MS });
      await expect(store.getStrict(freshKey('absent'), T0)).resolves.toBeUndefined();
    });
  });

  describe('when DynamoDB throttles', () => {
    it('a read is a miss after the client retried once, counted, never thrown', async () => {
      const fake = await throttlingEndpoint();
      try {
        const observer = recordingObserver();
        // A generous budget: the SDK backs off ~0.5 s before retrying a throttled call, and the point here is
        // the retry count, not the budget (the never-answering server below covers that).
        const store = new DynamoStore({
          tableName: TABLE,
          client: clientFor(fake.endpoint, 5000),
          observer,
          timeoutMs: 5000,
        });
        await expect(store.get('k', T0)).resolves.toBeUndefined();
        expect(fake.requests()).toBe(2);
        expect(observer.total(METRIC.cacheStoreErrors, 'read_error')).toBe(1);
        expect(observer.warnings[0]?.fields).toMatchObject({ errorName: 'ThrottlingException' });
      } finally {
        await fake.stop();
      }
    });
  });

  describe('after a failure (circuit breaker)', () => {
    it('skips DynamoDB without a request until the cool-down ends, then probes it once', async () => {
      const fake = await throttlingEndpoint();
      try {
        let now = T0;
        // One attempt per call: the SDK's own retries depend on its retry quota and backoff (which made the counts
        // below vary run to run); the breaker is what is under test, and each of its decisions is one request here.
        const client = new DynamoDBClient({
          endpoint: fake.endpoint,
          region: TEST_REGION,
          credentials: TEST_CREDENTIALS,
          maxAttempts: 1,
        });
        // The budget is far above any answer of the throttling fake: with the product's 800 ms a loaded machine could
        // abort a call before its request reached the fake, and the counts below are of requests received.
        const store = new DynamoStore({
          tableName: TABLE,
          client,
          timeoutMs: DYNALITE_TIMEOUT_MS,
          breaker: { cooldownMs: 30_000, clock: () => now },
        });
        await expect(store.get('k', T0)).resolves.toBeUndefined();
        expect(fake.requests()).toBe(1);
        await expect(store.get('k', T0)).resolves.toBeUndefined();
        await expect(store.put('k', { value: 1, storedAtMs: T0, expiresAtMs: T0 + 1000 })).resolves.toBeUndefined();
        expect(fake.requests()).toBe(1);
        now += 29_999;
        await expect(store.get('k', T0)).resolves.toBeUndefined();
        expect(fake.requests()).toBe(1);
        now += 1;
        await expect(Promise.all([store.get('a', T0), store.get('b', T0)])).resolves.toEqual([undefined, undefined]);
        // One probe: one batch for both keys, and it failed.
        const afterProbe = fake.requests();
        expect(afterProbe).toBe(2);
        // Open again: nothing more goes out.
        await expect(store.get('k', T0)).resolves.toBeUndefined();
        expect(fake.requests()).toBe(afterProbe);
      } finally {
        await fake.stop();
      }
    }, 20_000);
  });

  describe('when DynamoDB accepts the connection and never answers', () => {
    it('gives up after its timeout and reports a miss', async () => {
      const fake = await silentEndpoint();
      try {
        const observer = recordingObserver();
        const store = new DynamoStore({
          tableName: TABLE,
          client: clientFor(fake.endpoint, 100),
          observer,
          timeoutMs: 100,
        });
        await expect(store.get('k', T0)).resolves.toBeUndefined();
        expect(fake.requests()).toBeGreaterThanOrEqual(1);
        expect(observer.total(METRIC.cacheStoreErrors, 'read_error')).toBe(1);
      } finally {
        await fake.stop();
      }
    });
  });
});
