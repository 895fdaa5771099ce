import type { ConditionalPutOutcome, KeyValueStore, StoredItem, TieredRead } from './types';

/**
 * A store whose code loads on first use: the DynamoDB store pulls in the AWS SDK (about 400 KiB of JavaScript to
 * load and run), which a one-shot `notary-gate check` without a cache table never needs. Every method of the
 * KeyValueStore interface is present and delegates, so callers that test for the optional ones (TieredStore)
 * behave exactly as with the loaded store. A load that fails rejects each call (the store's callers treat a
 * rejection as "the shared store did not answer": strict reads deny, others fall back to memory).
 */
export class LazyStore implements KeyValueStore {
  #loaded: Promise<KeyValueStore> | undefined;

  constructor(private readonly load: () => Promise<KeyValueStore>) {}

  #store(): Promise<KeyValueStore> {
    this.#loaded ??= this.load();
    return this.#loaded;
  }

  async get<T>(key: string, nowMs: number): Promise<StoredItem<T> | undefined> {
    return (await this.#store()).get<T>(key, nowMs);
  }

  async put<T>(key: string, item: StoredItem<T>): Promise<void> {
    return (await this.#store()).put(key, item);
  }

  async putIfNewer<T>(key: string, item: StoredItem<T> & { version: number }): Promise<boolean> {
    return (await this.#store()).putIfNewer(key, item);
  }

  async getWithTier<T>(key: string, nowMs: number): Promise<TieredRead<T> | undefined> {
    const store = await this.#store();
    if (store.getWithTier) return store.getWithTier<T>(key, nowMs);
    const item = await store.get<T>(key, nowMs);
    return item && { item, tier: 'dynamodb' };
  }

  async getStrict<T>(key: string, nowMs: number): Promise<StoredItem<T> | undefined> {
    const store = await this.#store();
    return store.getStrict ? store.getStrict<T>(key, nowMs) : store.get<T>(key, nowMs);
  }

  async putIfNewerOutcome<T>(key: string, item: StoredItem<T> & { version: number }): Promise<ConditionalPutOutcome> {
    const store = await this.#store();
    if (store.putIfNewerOutcome) return store.putIfNewerOutcome(key, item);
    return (await store.putIfNewer(key, item)) ? 'written' : 'refused';
  }

  /** Nothing to flush when the store was never used. */
  async flush(): Promise<void> {
    if (this.#loaded) await (await this.#loaded).flush?.();
  }
}
