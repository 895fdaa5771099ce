import fc from 'fast-check';
import { MemoryStore, mayReplace } from '../../../shared/cache/memory-store';
import { METRIC } from '../../../shared/observer';
import { recordingObserver } from './recording-observer';

const T0 = Date.UTC(2026, 0, 1);

function item<T>(value: T, overrides: { storedAtMs?: number; expiresAtMs?: number } = {}) {
  return { value, storedAtMs: T0, expiresAtMs: T0 + 60_000, ...overrides };
}

function versioned<T>(value: T, version: number, overrides: { storedAtMs?: number; expiresAtMs?: number } = {}) {
  return { ...item(value, overrides), version };
}

describe('memory store', () => {
  describe('when an item is read back', () => {
    it('returns the value, its instants and its version', async () => {
      const store = new MemoryStore();
      await store.put('k', versioned({ tags: { v1: 'sha256:aa' } }, 3));
      await expect(store.get('k', T0)).resolves.toEqual({
        value: { tags: { v1: 'sha256:aa' } },
        storedAtMs: T0,
        expiresAtMs: T0 + 60_000,
        version: 3,
      });
    });

    it('hands out a frozen copy, so a caller that mutates it fails and cannot change what others read', async () => {
      const store = new MemoryStore();
      const original = { digest: 'sha256:aa', tags: { v1: 'sha256:aa' } };
      await store.put('k', item(original));
      original.tags.v1 = 'sha256:changed-after-put';
      const first = await store.get<typeof original>('k', T0);
      expect(() => {
        first!.value.digest = 'sha256:evil';
      }).toThrow(TypeError);
      expect(() => {
        first!.value.tags.v1 = 'sha256:evil';
      }).toThrow(TypeError);
      await expect(store.get('k', T0)).resolves.toMatchObject({
        value: { digest: 'sha256:aa', tags: { v1: 'sha256:aa' } },
      });
    });

    it('reports the memory tier', async () => {
      const store = new MemoryStore();
      await store.put('k', item(1));
      await expect(store.getWithTier('k', T0)).resolves.toMatchObject({ tier: 'memory' });
    });
  });

  describe('when an item has expired', () => {
    it('is a miss at its expiry instant and after', async () => {
      const store = new MemoryStore();
      await store.put('k', item('v', { expiresAtMs: T0 + 1000 }));
      await expect(store.get('k', T0 + 999)).resolves.toBeDefined();
      await expect(store.get('k', T0 + 1000)).resolves.toBeUndefined();
      await expect(store.get('k', T0 + 5000)).resolves.toBeUndefined();
    });

    it('is still there for an earlier evaluation instant (an audit with --at reads the past)', async () => {
      const store = new MemoryStore();
      await store.put('k', item('v', { expiresAtMs: T0 + 1000 }));
      await store.get('k', T0 + 5000);
      await expect(store.get('k', T0 + 500)).resolves.toBeDefined();
    });
  });

  describe('when more entries are stored than allowed', () => {
    it('evicts the least recently used first', async () => {
      const store = new MemoryStore({ maxEntries: 2 });
      await store.put('a', item('A'));
      await store.put('b', item('B'));
      await store.get('a', T0); // a is now more recent than b
      await store.put('c', item('C'));
      expect(store.stats().entries).toBe(2);
      await expect(store.get('a', T0)).resolves.toBeDefined();
      await expect(store.get('b', T0)).resolves.toBeUndefined();
      await expect(store.get('c', T0)).resolves.toBeDefined();
    });
  });

  describe('when more bytes are stored than allowed', () => {
    it('evicts old entries until the total fits the byte budget', async () => {
      const store = new MemoryStore({ maxBytes: 4096 });
      for (let i = 0; i < 10; i++) await store.put(`key-${i}`, item('x'.repeat(1000)));
      expect(store.stats().bytes).toBeLessThanOrEqual(4096);
      expect(store.stats().entries).toBeLessThan(10);
      await expect(store.get('key-9', T0)).resolves.toBeDefined();
      await expect(store.get('key-0', T0)).resolves.toBeUndefined();
    });

    it('refuses an item larger than the whole budget, keeps the others, and counts it', async () => {
      const observer = recordingObserver();
      const store = new MemoryStore({ maxBytes: 2048, observer });
      await store.put('small', item('s'));
      await store.put('huge', item('x'.repeat(5000)));
      await expect(store.get('huge', T0)).resolves.toBeUndefined();
      await expect(store.get('small', T0)).resolves.toBeDefined();
      expect(observer.total(METRIC.cacheStoreErrors, 'item_too_large')).toBe(1);
    });

    it('accounts for a replaced key once', async () => {
      const store = new MemoryStore();
      await store.put('k', item('x'.repeat(1000)));
      const before = store.stats().bytes;
      await store.put('k', item('y'.repeat(1000)));
      expect(store.stats()).toEqual({ entries: 1, bytes: before });
    });
  });

  describe('putIfNewer', () => {
    it('writes when nothing is stored', async () => {
      const store = new MemoryStore();
      await expect(store.putIfNewer('v', versioned('root-1', 1))).resolves.toBe(true);
    });

    it('writes a higher version and refuses an equal or lower one', async () => {
      const store = new MemoryStore();
      await store.putIfNewer('v', versioned('five', 5));
      await expect(store.putIfNewer('v', versioned('four', 4))).resolves.toBe(false);
      await expect(store.putIfNewer('v', versioned('other five', 5))).resolves.toBe(false);
      await expect(store.get('v', T0)).resolves.toMatchObject({ value: 'five', version: 5 });
      await expect(store.putIfNewerOutcome('v', versioned('six', 6))).resolves.toBe('written');
      await expect(store.get('v', T0)).resolves.toMatchObject({ value: 'six', version: 6 });
    });

    it('replaces a stored item that has expired by the time of the write', async () => {
      const store = new MemoryStore();
      await store.putIfNewer('v', versioned('old', 9, { expiresAtMs: T0 + 1000 }));
      const later = versioned('new', 1, { storedAtMs: T0 + 2000, expiresAtMs: T0 + 60_000 });
      await expect(store.putIfNewer('v', later)).resolves.toBe(true);
    });
  });

  describe('the monotonic rule', () => {
    it.each([
      [{ expiresAtMs: 10, version: 5 }, { storedAtMs: 1, version: 6 }, true],
      [{ expiresAtMs: 10, version: 5 }, { storedAtMs: 1, version: 5 }, false],
      [{ expiresAtMs: 10, version: 5 }, { storedAtMs: 1, version: 4 }, false],
      [{ expiresAtMs: 10 }, { storedAtMs: 1, version: 1 }, true],
      [{ expiresAtMs: 10, version: 5 }, { storedAtMs: 10, version: 1 }, true],
    ])('stored %j, incoming %j: replace is %s', (stored, incoming, expected) => {
      expect(mayReplace(stored, incoming)).toBe(expected);
    });
  });
});

describe('memory store under any sequence of operations', () => {
  it('never exceeds its bounds, and a read returns the last value written for the key or nothing', async () => {
    const operation = fc.oneof(
      fc.record({ op: fc.constant('put' as const), key: fc.integer({ min: 0, max: 20 }), size: fc.nat(3000) }),
      fc.record({ op: fc.constant('get' as const), key: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ op: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 20 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 200 }), async (operations) => {
        const store = new MemoryStore({ maxEntries: 8, maxBytes: 8192 });
        const lastWritten = new Map<string, string>();
        for (const step of operations) {
          const key = `k${step.key}`;
          if (step.op === 'put') {
            const value = `${step.key}:`.padEnd(step.size, 'x');
            await store.put(key, item(value));
            lastWritten.set(key, value);
          } else if (step.op === 'delete') {
            store.delete(key);
            lastWritten.delete(key);
          } else {
            const got = await store.get<string>(key, T0);
            if (got !== undefined) expect(got.value).toBe(lastWritten.get(key));
          }
          expect(store.stats().entries).toBeLessThanOrEqual(8);
          expect(store.stats().bytes).toBeLessThanOrEqual(8192);
          if (store.stats().entries === 0) expect(store.stats().bytes).toBe(0); // no accounting drift
        }
      }),
    );
  });
});
