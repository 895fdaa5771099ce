/**
 * A Map that holds at most `maxEntries`, dropping the oldest first: the in-memory side caches (registry
 * resolutions, index listings, revocation answers, parsed certificates) bound themselves with it instead of each
 * writing its own eviction. Map iteration order is insertion order, so "oldest" is the first key; `set` re-inserts
 * (a key written again becomes the newest) and `touch` makes a read count as use (least recently used first out).
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The value, without changing its place in the eviction order. */
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** The value, made the newest entry (for caches that drop the least recently used). */
  touch(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Stores `value` as the newest entry and drops the oldest ones past the bound. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }
}
