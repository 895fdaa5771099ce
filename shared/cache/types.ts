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
}
