/**
 * The in-process tier: a bounded LRU map (entries and bytes), TTL-aware on every read.
 *
 * Values go through JSON once, when written, and are kept as a deeply frozen copy: a caller that mutates what it got
 * back cannot corrupt verified trust data held for other admissions (it throws), and the memory tier behaves like
 * the DynamoDB tier (only JSON survives a round trip), so code tested against one works against the other. Reads
 * hand out the frozen copy without parsing, so a warm admission allocates next to nothing for its trust data.
 */
import { METRIC, type Observer, silentObserver } from '../observer';
import type { ConditionalPutOutcome, KeyValueStore, StoredItem, TieredRead } from './types';

export interface MemoryStoreOptions {
  /** At most this many items; the least recently used go first. */
  readonly maxEntries?: number;
  /** At most about this many bytes of keys and JSON values; an item larger than this alone is not kept. */
  readonly maxBytes?: number;
  readonly observer?: Observer;
}

export const MEMORY_STORE_DEFAULTS = {
  maxEntries: 10_000,
  maxBytes: 16 * 1024 * 1024,
} as const;

/** Per-entry bookkeeping a Map entry costs besides its key and value text (a rough, deliberately high figure). */
const ENTRY_OVERHEAD_BYTES = 96;

interface Entry {
  /** The value after a JSON round trip, deeply frozen. */
  readonly value: unknown;
  readonly expiresAtMs: number;
  readonly storedAtMs: number;
  readonly version?: number;
  readonly bytes: number;
  /** The value's JSON text as written: what compareAndSwap compares. */
  readonly json: string;
}

export class MemoryStore implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly observer: Observer;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? MEMORY_STORE_DEFAULTS.maxEntries;
    this.maxBytes = options.maxBytes ?? MEMORY_STORE_DEFAULTS.maxBytes;
    this.observer = options.observer ?? silentObserver;
    if (!(this.maxEntries > 0) || !(this.maxBytes > 0)) {
      throw new RangeError('MemoryStore: maxEntries and maxBytes must be positive');
    }
  }

  /** Current occupancy, for tests and debug logs. */
  stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.totalBytes };
  }

  async get<T>(key: string, nowMs: number): Promise<StoredItem<T> | undefined> {
    return this.read<T>(key, nowMs);
  }

  async getWithTier<T>(key: string, nowMs: number): Promise<TieredRead<T> | undefined> {
    const item = this.read<T>(key, nowMs);
    return item && { item, tier: 'memory' };
  }

  /** Memory is always available: the same as get. */
  async getStrict<T>(key: string, nowMs: number): Promise<StoredItem<T> | undefined> {
    return this.read<T>(key, nowMs);
  }

  async put<T>(key: string, item: StoredItem<T>): Promise<void> {
    this.write(key, item);
  }

  async putIfNewer<T>(key: string, item: StoredItem<T> & { version: number }): Promise<boolean> {
    return this.putIfNewerSync(key, item) === 'written';
  }

  async putIfNewerOutcome<T>(key: string, item: StoredItem<T> & { version: number }): Promise<ConditionalPutOutcome> {
    return this.putIfNewerSync(key, item);
  }

  /**
   * Writes `next` only when the live item under key holds the same JSON value as `expected` (or, with `expected`
   * undefined, when there is none, or it has expired as of next.storedAtMs).
   */
  async compareAndSwap<T>(
    key: string,
    expected: StoredItem<T> | undefined,
    next: StoredItem<T>,
  ): Promise<ConditionalPutOutcome> {
    return this.compareAndSwapSync(key, expected, next);
  }

  compareAndSwapSync<T>(key: string, expected: StoredItem<T> | undefined, next: StoredItem<T>): ConditionalPutOutcome {
    const existing = this.entries.get(key);
    const live = existing && existing.expiresAtMs > next.storedAtMs ? existing : undefined;
    if (expected === undefined ? live !== undefined : !live || live.json !== JSON.stringify(expected.value)) {
      return 'refused';
    }
    return this.write(key, next) ? 'written' : 'unavailable';
  }

  /** Forgets one key (the tiered store drops its copy when the shared tier holds something newer). */
  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  /**
   * Synchronous read: the item unless missing or expired at nowMs. Expired entries are not deleted here, because
   * `nowMs` may be an audit instant (`--at`) rather than the present; LRU eviction reclaims them.
   */
  read<T>(key: string, nowMs: number): StoredItem<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAtMs <= nowMs) return undefined;
    // Re-insert so that Map order stays least-recently-used first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    const item: StoredItem<T> = {
      value: entry.value as T,
      expiresAtMs: entry.expiresAtMs,
      storedAtMs: entry.storedAtMs,
    };
    return entry.version === undefined ? item : { ...item, version: entry.version };
  }

  private putIfNewerSync<T>(key: string, item: StoredItem<T> & { version: number }): ConditionalPutOutcome {
    const existing = this.entries.get(key);
    if (existing && !mayReplace(existing, item)) return 'refused';
    return this.write(key, item) ? 'written' : 'unavailable';
  }

  /** Stores the item; false when it cannot be kept (larger than the whole budget, or not JSON). */
  private write<T>(key: string, item: StoredItem<T>): boolean {
    const json = JSON.stringify(item.value);
    if (json === undefined) {
      this.observer.warn('memory cache refused a value that is not JSON', { key });
      return false;
    }
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(json) + ENTRY_OVERHEAD_BYTES;
    this.delete(key);
    if (bytes > this.maxBytes) {
      this.observer.warn('memory cache refused an item larger than its whole byte budget', {
        key,
        bytes,
        maxBytes: this.maxBytes,
      });
      this.observer.count(METRIC.cacheStoreErrors, 1, { name: 'reason', value: 'item_too_large' });
      return false;
    }
    const value = deepFreeze(JSON.parse(json));
    const entry: Entry = { value, expiresAtMs: item.expiresAtMs, storedAtMs: item.storedAtMs, bytes, json };
    this.entries.set(key, item.version === undefined ? entry : { ...entry, version: item.version });
    this.totalBytes += bytes;
    this.evictBeyondBounds();
    return true;
  }

  private evictBeyondBounds(): void {
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) return;
      this.delete(oldest.value);
    }
  }
}

/**
 * The monotonic-write rule shared by every tier: an incoming versioned item replaces a stored one only when the
 * stored one has expired (as of the incoming item's storedAtMs), carries no version, or has a lower version.
 * The DynamoDB store states the same rule as a condition expression.
 */
export function mayReplace(
  stored: { readonly expiresAtMs: number; readonly version?: number },
  incoming: { readonly storedAtMs: number; readonly version: number },
): boolean {
  if (stored.expiresAtMs <= incoming.storedAtMs) return true;
  if (stored.version === undefined) return true;
  return stored.version < incoming.version;
}

/** Freezes a parsed JSON value and everything in it. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
