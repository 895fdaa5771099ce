import { createCacheDynamoClient } from '../../../shared/cache/dynamo-client';
import { DynamoStore } from '../../../shared/cache/dynamo-store';
import { MemoryStore } from '../../../shared/cache/memory-store';
import { CacheStoreUnavailableError } from '../../../shared/cache/store-errors';
import { TieredStore } from '../../../shared/cache/tiered-store';
import {
  DYNALITE_TIMEOUT_MS,
  type Dynalite,
  startDynalite,
  TEST_CREDENTIALS,
  TEST_REGION,
} from '../../harness/dynalite';
import { closedPortEndpoint } from './fake-dynamo';

const T0 = Date.UTC(2026, 0, 1);
const TABLE = 'tiered-cache';

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
  await db.createTable(TABLE);
});
afterAll(() => db.stop());
beforeEach(() => db.resetCounts());

let keySeq = 0;
const freshKey = (name: string) => `tiered#${++keySeq}#${name}`;

/** One "Lambda instance": its own memory in front of the shared table. */
function instance() {
  const memory = new MemoryStore();
  return {
    memory,
    store: new TieredStore(
      memory,
      new DynamoStore({ tableName: TABLE, client: db.client(), timeoutMs: DYNALITE_TIMEOUT_MS }),
    ),
  };
}

describe('tiered store (memory in front of dynalite)', () => {
  describe('when another instance wrote an item', () => {
    it('reads it from DynamoDB once, then from memory', async () => {
      const writer = instance();
      const reader = instance();
      const key = freshKey('shared');
      await writer.store.put(key, { value: 'v', storedAtMs: T0, expiresAtMs: T0 + 60_000 });
      db.resetCounts();
      await expect(reader.store.getWithTier(key, T0)).resolves.toMatchObject({
        tier: 'dynamodb',
        item: { value: 'v' },
      });
      await expect(reader.store.getWithTier(key, T0 + 1)).resolves.toMatchObject({
        tier: 'memory',
        item: { value: 'v' },
      });
      expect(db.requestCount()).toBe(1);
    });
  });

  describe('when an item expires', () => {
    it('memory does not keep it past its expiresAtMs', async () => {
      const { store } = instance();
      const key = freshKey('expiring');
      await store.put(key, { value: 'v', storedAtMs: T0, expiresAtMs: T0 + 1000 });
      await expect(store.getWithTier(key, T0 + 999)).resolves.toMatchObject({ tier: 'memory' });
      await expect(store.get(key, T0 + 1000)).resolves.toBeUndefined();
    });
  });

  describe('when a write goes through', () => {
    it('lands in memory at once and in DynamoDB by flush', async () => {
      const { store, memory } = instance();
      const key = freshKey('write-through');
      void store.put(key, { value: 'v', storedAtMs: T0, expiresAtMs: T0 + 60_000 });
      expect(memory.read(key, T0)).toMatchObject({ value: 'v' });
      await store.flush();
      await expect(instance().store.getWithTier(key, T0)).resolves.toMatchObject({ tier: 'dynamodb' });
    });
  });

  describe('putIfNewer across instances', () => {
    it('refuses a lower version than another instance stored, and then reads the newer one', async () => {
      const a = instance();
      const b = instance();
      const key = freshKey('versions');
      const versioned = (version: number) => ({
        value: `v${version}`,
        version,
        storedAtMs: T0,
        expiresAtMs: T0 + 60_000,
      });
      await expect(b.store.putIfNewer(key, versioned(3))).resolves.toBe(true);
      await expect(a.store.putIfNewer(key, versioned(5))).resolves.toBe(true);
      // b still remembers v3 in memory; DynamoDB refuses v4, so b drops its copy and reads v5.
      await expect(b.store.putIfNewer(key, versioned(4))).resolves.toBe(false);
      await expect(b.store.getWithTier(key, T0)).resolves.toMatchObject({ tier: 'dynamodb', item: { version: 5 } });
    });
  });

  describe('when DynamoDB cannot be reached', () => {
    it('still applies the monotonic rule in memory, so rollback protection holds within the process', async () => {
      const client = createCacheDynamoClient({
        endpoint: await closedPortEndpoint(),
        region: TEST_REGION,
        credentials: TEST_CREDENTIALS,
        timeoutMs: 500,
      });
      const store = new TieredStore(new MemoryStore(), new DynamoStore({ tableName: TABLE, client }));
      const versioned = (version: number) => ({ value: version, version, storedAtMs: T0, expiresAtMs: T0 + 60_000 });
      await expect(store.putIfNewer('k', versioned(5))).resolves.toBe(true);
      await expect(store.putIfNewer('k', versioned(4))).resolves.toBe(false);
      await expect(store.get('k', T0)).resolves.toMatchObject({ version: 5 });
    });

    it('getStrict never answers from memory: it rejects when DynamoDB cannot be asked, even for a key memory holds', async () => {
      const client = createCacheDynamoClient({
        endpoint: await closedPortEndpoint(),
        region: TEST_REGION,
        credentials: TEST_CREDENTIALS,
        timeoutMs: 500,
      });
      const store = new TieredStore(new MemoryStore(), new DynamoStore({ tableName: TABLE, client }));
      await store.put('known', { value: 'root', storedAtMs: T0, expiresAtMs: T0 + 60_000 });
      await expect(store.get('known', T0)).resolves.toMatchObject({ value: 'root' });
      await expect(store.getStrict('known', T0)).rejects.toBeInstanceOf(CacheStoreUnavailableError);
    });
  });

  describe('getStrict and compareAndSwap across instances', () => {
    it('reads what another instance swapped in, not the memory copy, and swaps only on the value it read', async () => {
      const a = instance();
      const b = instance();
      const key = freshKey('cas');
      const item = (value: string) => ({ value, storedAtMs: T0, expiresAtMs: T0 + 60_000 });
      await expect(a.store.compareAndSwap(key, undefined, item('r1'))).resolves.toBe('written');
      await expect(b.store.compareAndSwap(key, undefined, item('evil'))).resolves.toBe('refused');
      const read = await b.store.getStrict<string>(key, T0);
      expect(read?.value).toBe('r1');
      await expect(a.store.compareAndSwap(key, read, item('r2'))).resolves.toBe('written');
      // b's basis is stale now: its swap is refused, and its next strict read sees r2
      await expect(b.store.compareAndSwap(key, read, item('r2-from-b'))).resolves.toBe('refused');
      await expect(b.store.getStrict(key, T0)).resolves.toMatchObject({ value: 'r2' });
    });
  });
});
