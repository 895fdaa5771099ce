/**
 * The shared cache's storage contract: DynamoDB in AWS, memory locally. Values are small JSON documents.
 * Implementations check expiry on every read (DynamoDB deletes expired items up to days late).
 */
export interface StoredItem<T = unknown> {
  readonly value: T;
  /** After this instant the item must not be used at all: it is also the DynamoDB TTL (epoch ms here). */
  readonly expiresAtMs: number;
  /** When the item was written (epoch ms): freshness is judged from it. */
  readonly storedAtMs: number;
  /** For monotonic items (roots, role versions): writes never lower it. */
  readonly version?: number;
}

export interface KeyValueStore {
  /** The item, or undefined when missing or expired at nowMs. Reads issued in the same tick may be batched. */
  get<T>(key: string, nowMs: number): Promise<StoredItem<T> | undefined>;
  put<T>(key: string, item: StoredItem<T>): Promise<void>;
  /**
   * Writes only when no item exists or the stored version is lower than `item.version` (a conditional write).
   * Returns true when written. Rollback protection and trust-on-first-use rely on this.
   */
  putIfNewer<T>(key: string, item: StoredItem<T> & { version: number }): Promise<boolean>;

  // Optional capabilities (a plain store without them still works everywhere):
  /**
   * Like get, and says which tier answered (metrics and the verdict's `source` report it). `onSharedRead` is called
   * synchronously when the read goes past memory to the shared tier, so that the caller can issue related shared
   * reads in the same tick (one BatchGetItem).
   */
  getWithTier?<T>(key: string, nowMs: number, hooks?: ReadHooks): Promise<TieredRead<T> | undefined>;
  /**
   * Reads the authoritative tier (DynamoDB when there is one, never the memory copy in front of it), and rejects
   * with CacheStoreUnavailableError (store-errors.ts) when it could not be asked, where get would report a miss.
   * For items whose absence means "trust on first use" or "no rollback floor", and that other instances change.
   */
  getStrict?<T>(key: string, nowMs: number): Promise<StoredItem<T> | undefined>;
  /**
   * Compare-and-swap on the authoritative tier: writes `next` only when the stored item is still `expected` (same
   * JSON value), or, with `expected` undefined, when no live item is stored. `refused`: another write came first.
   */
  compareAndSwap?<T>(
    key: string,
    expected: StoredItem<T> | undefined,
    next: StoredItem<T>,
  ): Promise<ConditionalPutOutcome>;
  /** Like putIfNewer, and tells a refusal (a newer item is stored) from an outage. */
  putIfNewerOutcome?<T>(key: string, item: StoredItem<T> & { version: number }): Promise<ConditionalPutOutcome>;
  /** Resolves when the writes still in flight have settled (the Lambda awaits it before returning). */
  flush?(): Promise<void>;
}

export interface ReadHooks {
  /** Called synchronously, in the tick of the read, when memory cannot answer and the shared tier is asked. */
  readonly onSharedRead?: () => void;
}

/** Which tier answered a read: the in-process memory or the shared DynamoDB table. */
export type StoreTier = 'memory' | 'dynamodb';

/** A read together with the tier that answered it (metrics and the verdict's `source` report it). */
export interface TieredRead<T = unknown> {
  readonly item: StoredItem<T>;
  readonly tier: StoreTier;
}

/**
 * What a conditional write did: `refused` means a stored item has an equal or higher version (putIfNewer) or is not
 * the expected one (compareAndSwap); `unavailable` means
 * the store could not be asked (error, throttling, timeout), so nothing is known about the stored version.
 */
export type ConditionalPutOutcome = 'written' | 'refused' | 'unavailable';
