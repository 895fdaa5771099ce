import { MemoryStore } from '../../../shared/cache/memory-store';
import { CacheStoreUnavailableError } from '../../../shared/cache/store-errors';
import { TrustError } from '../../../shared/errors';
import { trustIdentity } from '../../../shared/notary/trust-identity';
import { maxVersions, stateKeysOf, TrustStateStore } from '../../../shared/notary/trust-state';
import type { VerifiedTrust } from '../../../shared/notary/tuf/types';

const T0 = Date.UTC(2026, 0, 1);
const identity = trustIdentity({ server: 'https://notary.example.com', rootKeys: [] }, 'registry.example.com/a/b');

function verified(root: string, versions: Record<string, number>): VerifiedTrust {
  return {
    gun: 'registry.example.com/a/b',
    roles: [],
    versions,
    expiresAtMs: T0 + 1e9,
    root: Buffer.from(root).toString('base64'),
    rootVersion: versions.root ?? 1,
    skippedRoles: [],
  };
}

describe('the trust state store', () => {
  it('lets only one of two racing first uses store its root: the other is told to verify again (conflict)', async () => {
    const shared = new MemoryStore();
    const a = new TrustStateStore({ store: shared });
    const b = new TrustStateStore({ store: shared });
    const stateA = await a.read(identity, T0);
    const stateB = await b.read(identity, T0);
    expect(stateA.trustedRoot).toBeUndefined();
    await expect(b.remember(identity, stateB, verified('root-b', { root: 1, timestamp: 1 }), T0)).resolves.toBe(
      'remembered',
    );
    await expect(a.remember(identity, stateA, verified('root-a', { root: 1, timestamp: 1 }), T0)).resolves.toBe(
      'conflict',
    );
    const again = await a.read(identity, T0);
    expect(Buffer.from(again.trustedRoot!).toString()).toBe('root-b');
  });

  it('when the store cannot answer: denies without state of its own, and uses the state it verified itself', async () => {
    const shared = new MemoryStore();
    const store = new TrustStateStore({ store: shared });
    const down = () => Promise.reject(new CacheStoreUnavailableError('throttled'));
    const up = shared.getStrict.bind(shared);
    shared.getStrict = down;
    const error = await store.read(identity, T0).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TrustError);
    expect((error as TrustError).code).toBe('TRUST_STATE_UNAVAILABLE');

    shared.getStrict = up;
    const state = await store.read(identity, T0);
    await store.remember(identity, state, verified('root', { root: 1, timestamp: 7 }), T0);
    shared.getStrict = down;
    await expect(store.read(identity, T0)).resolves.toMatchObject({
      source: 'local',
      minVersions: { timestamp: 7 },
    });
  });

  it('keeps the floors this process raised when the store holds lower ones (never a lost floor)', async () => {
    const shared = new MemoryStore();
    const store = new TrustStateStore({ store: shared });
    const state = await store.read(identity, T0);
    const swap = shared.compareAndSwap.bind(shared);
    shared.compareAndSwap = async () => 'unavailable'; // the write is lost
    await store.remember(identity, state, verified('root', { root: 1, timestamp: 9 }), T0);
    shared.compareAndSwap = swap;
    await expect(store.read(identity, T0)).resolves.toMatchObject({ source: 'store', minVersions: { timestamp: 9 } });
    await expect(shared.get(stateKeysOf(identity).versions, T0)).resolves.toBeUndefined();
  });

  it('merges floors per role, upward only', () => {
    expect(maxVersions({ a: 3, b: 1 }, { a: 2, b: 4, c: 1 })).toEqual({ a: 3, b: 4, c: 1 });
    expect(maxVersions(undefined, undefined)).toBeUndefined();
  });
});
