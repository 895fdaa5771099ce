/**
 * Memory in front of a shared store (DynamoDB): read-through, write-through.
 *
 * The memory copy of an item keeps the item's own expiresAtMs, so memory never serves an item longer than the
 * shared store would. For monotonic items the shared store is the authority: when it refuses a write (it holds an
 * equal or newer version), the memory copy is dropped so the next read fetches the newer one; when it cannot be
 * asked, memory still applies the monotonic rule itself, so rollback protection holds within this process.
 */
import type { MemoryStore } from './memory-store';
import type { ConditionalPutOutcome, KeyValueStore, ReadHooks, StoredItem, TieredRead } from './types';

export class TieredStore implements KeyValueStore {
  constructor(
    private readonly memory: MemoryStore,
    private readonly shared: KeyValueStore,
  ) {}

  async get<T>(key: string, nowMs: number): Promise<StoredItem<T> | undefined> {
    return (await this.getWithTier<T>(key, nowMs))?.item;
  }

  async getWithTier<T>(key: string, nowMs: number, hooks?: ReadHooks): Promise<TieredRead<T> | undefined> {
    const local = this.memory.read<T>(key, nowMs);
    if (local) return { item: local, tier: 'memory' };
    hooks?.onSharedRead?.();
    const item = await this.shared.get<T>(key, nowMs);
    if (!item) return undefined;
    await this.memory.put(key, item);
    return { item, tier: 'dynamodb' };
  }

  /**
   * The shared store's strict read, never memory: the item may have changed in another instance since this one
   * read it (a rotated root, a raised version floor). Nothing is copied into memory.
   */
  async getStrict<T>(key: string, nowMs: number): Promise<StoredItem<T> | undefined> {
    return this.shared.getStrict ? this.shared.getStrict<T>(key, nowMs) : this.shared.get<T>(key, nowMs);
  }

  /** On the shared store; memory is not consulted (getStrict does not read it) and forgets the key. */
  async compareAndSwap<T>(
    key: string,
    expected: StoredItem<T> | undefined,
    next: StoredItem<T>,
  ): Promise<ConditionalPutOutcome> {
    this.memory.delete(key);
    if (!this.shared.compareAndSwap) return 'unavailable';
    return this.shared.compareAndSwap(key, expected, next);
  }

  /** Memory at once; the shared write is tracked by the shared store (await it, or flush() later). */
  put<T>(key: string, item: StoredItem<T>): Promise<void> {
    void this.memory.put(key, item);
    return this.shared.put(key, item);
  }

  async putIfNewer<T>(key: string, item: StoredItem<T> & { version: number }): Promise<boolean> {
    return (await this.putIfNewerOutcome(key, item)) === 'written';
  }

  async putIfNewerOutcome<T>(key: string, item: StoredItem<T> & { version: number }): Promise<ConditionalPutOutcome> {
    const shared = this.shared.putIfNewerOutcome
      ? await this.shared.putIfNewerOutcome(key, item)
      : await this.shared
          .putIfNewer(key, item)
          .then((written): ConditionalPutOutcome => (written ? 'written' : 'refused'));
    switch (shared) {
      case 'written':
        await this.memory.put(key, item);
        return 'written';
      case 'refused':
        this.memory.delete(key);
        return 'refused';
      case 'unavailable':
        return this.memory.putIfNewerOutcome(key, item);
    }
  }

  async flush(): Promise<void> {
    await this.shared.flush?.();
  }
}
