import { LazyStore } from '../../../shared/cache/lazy-store';
import { MemoryStore } from '../../../shared/cache/memory-store';
import type { KeyValueStore } from '../../../shared/cache/types';

describe('LazyStore', () => {
  const item = (version: number) => ({ value: { v: version }, expiresAtMs: 10_000, storedAtMs: 0, version });

  it('does not load the store until a method needs it, and loads it once', async () => {
    const memory = new MemoryStore();
    const load = jest.fn(async (): Promise<KeyValueStore> => memory);
    const lazy = new LazyStore(load);
    await lazy.flush();
    expect(load).not.toHaveBeenCalled();
    await Promise.all([lazy.put('a', item(1)), lazy.get('a', 0)]);
    expect(await lazy.get('a', 0)).toMatchObject({ value: { v: 1 } });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('delegates the conditional writes and the strict read with their outcomes', async () => {
    const lazy = new LazyStore(async () => new MemoryStore());
    expect(await lazy.putIfNewerOutcome('k', item(2))).toBe('written');
    expect(await lazy.putIfNewerOutcome('k', item(1))).toBe('refused');
    expect(await lazy.putIfNewer('k', item(3))).toBe(true);
    expect(await lazy.getStrict('k', 0)).toMatchObject({ version: 3 });
    expect(await lazy.getWithTier('k', 0)).toMatchObject({ item: { version: 3 } });
  });

  it('rejects every call when the store cannot be loaded (callers treat it as a store that did not answer)', async () => {
    const lazy = new LazyStore(async () => {
      throw new Error('cannot load');
    });
    await expect(lazy.getStrict('k', 0)).rejects.toThrow('cannot load');
    await expect(lazy.get('k', 0)).rejects.toThrow('cannot load');
  });
});
