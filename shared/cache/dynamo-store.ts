/**
 * The shared tier: one DynamoDB table, read through a batching reader, written with PutItem.
 *
 * DynamoDB is an optimisation here, never a dependency of a decision: reads that fail are misses, writes that
 * fail are dropped; both are warned and counted (METRIC.cacheStoreErrors) and the caller asks Notary instead.
 * After a failure a circuit breaker skips DynamoDB for a cool-down, so an outage costs one timeout, not one per
 * admission.
 * Writes are tracked so `flush()` can await them before the Lambda freezes, without sitting on the admission's
 * critical path.
 */
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { METRIC, type Observer, silentObserver } from '../observer';
import { BatchReader, describeError } from './batch-reader';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker';
import { createCacheDynamoClient, DEFAULT_DYNAMO_TIMEOUT_MS } from './dynamo-client';
import { ATTR, type DynamoItem, decodeItem, encodeItem } from './dynamo-item';
import { CacheStoreUnavailableError } from './store-errors';
import type { ConditionalPutOutcome, KeyValueStore, StoredItem, TieredRead } from './types';

export interface DynamoStoreOptions {
  readonly tableName: string;
  /** Injected in tests; by default a client with short timeouts (see dynamo-client.ts). */
  readonly client?: DynamoDBClient;
  readonly observer?: Observer;
  /** Budget of one read batch or one write, retries included. */
  readonly timeoutMs?: number;
  /** After a failure, DynamoDB is skipped for a cool-down (default 30 s), then probed again. */
  readonly breaker?: CircuitBreakerOptions;
}

/**
 * The monotonic rule of `mayReplace` (memory-store.ts) as a condition: no item yet, or it has expired, or it has
 * no version, or a lower one.
 */
const NEWER_CONDITION = 'attribute_not_exists(#pk) OR #exp <= :now OR attribute_not_exists(#v) OR #v < :v';

export class DynamoStore implements KeyValueStore {
  private readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly observer: Observer;
  private readonly timeoutMs: number;
  private readonly reader: BatchReader;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly breaker: CircuitBreaker;

  constructor(options: DynamoStoreOptions) {
    this.tableName = options.tableName;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_DYNAMO_TIMEOUT_MS;
    this.client = options.client ?? createCacheDynamoClient({ timeoutMs: this.timeoutMs });
    this.observer = options.observer ?? silentObserver;
    this.breaker = new CircuitBreaker(options.breaker);
    this.reader = new BatchReader({
      breaker: this.breaker,
      client: this.client,
      tableName: this.tableName,
      observer: this.observer,
      timeoutMs: this.timeoutMs,
    });
  }

  /** Never rejects: failures are misses. Expiry is checked here, since DynamoDB deletes expired items late. */
  async get<T>(key: string, nowMs: number): Promise<StoredItem<T> | undefined> {
    const read = await this.reader.read(key);
    return read.status === 'found' ? this.decode<T>(key, read.item, nowMs) : undefined;
  }

  /** Like get, but rejects when DynamoDB did not answer (see KeyValueStore.getStrict). */
  async getStrict<T>(key: string, nowMs: number): Promise<StoredItem<T> | undefined> {
    const read = await this.reader.read(key);
    if (read.status === 'unavailable') {
      throw new CacheStoreUnavailableError(`The DynamoDB cache table ${this.tableName} did not answer for ${key}.`);
    }
    return read.status === 'found' ? this.decode<T>(key, read.item, nowMs) : undefined;
  }

  private decode<T>(key: string, raw: DynamoItem, nowMs: number): StoredItem<T> | undefined {
    const item = decodeItem<T>(raw);
    if (!item) {
      this.observer.warn('ignored a malformed cache item', { table: this.tableName, key });
      this.observer.count(METRIC.cacheStoreErrors, 1, { name: 'reason', value: 'malformed_item' });
      return undefined;
    }
    return item.expiresAtMs > nowMs ? item : undefined;
  }

  async getWithTier<T>(key: string, nowMs: number): Promise<TieredRead<T> | undefined> {
    const item = await this.get<T>(key, nowMs);
    return item && { item, tier: 'dynamodb' };
  }

  /** Never rejects; awaiting it is optional (see flush). */
  put<T>(key: string, item: StoredItem<T>): Promise<void> {
    return this.track(this.write(key, item, undefined).then(() => undefined));
  }

  /** Never rejects: false when refused by a newer item and also when DynamoDB could not be asked. */
  async putIfNewer<T>(key: string, item: StoredItem<T> & { version: number }): Promise<boolean> {
    return (await this.putIfNewerOutcome(key, item)) === 'written';
  }

  putIfNewerOutcome<T>(key: string, item: StoredItem<T> & { version: number }): Promise<ConditionalPutOutcome> {
    return this.track(this.write(key, item, conditionFor(item)));
  }

  /**
   * A conditional PutItem on the exact stored value: `value = :expected` (the JSON text this store wrote, compared
   * by DynamoDB), or no live item when `expected` is undefined.
   */
  compareAndSwap<T>(
    key: string,
    expected: StoredItem<T> | undefined,
    next: StoredItem<T>,
  ): Promise<ConditionalPutOutcome> {
    const condition: WriteCondition =
      expected === undefined
        ? {
            ConditionExpression: 'attribute_not_exists(#pk) OR #exp <= :now',
            ExpressionAttributeNames: { '#pk': ATTR.key, '#exp': ATTR.expiresAtMs },
            ExpressionAttributeValues: { ':now': { N: String(next.storedAtMs) } },
          }
        : {
            ConditionExpression: '#val = :expected',
            ExpressionAttributeNames: { '#val': ATTR.value },
            ExpressionAttributeValues: { ':expected': { S: JSON.stringify(expected.value) } },
          };
    return this.track(this.write(key, next, condition));
  }

  /** Resolves when every write started so far has settled (the Lambda calls it before returning). */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private track<R>(promise: Promise<R>): Promise<R> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
    return promise;
  }

  private async write<T>(
    key: string,
    item: StoredItem<T>,
    condition: WriteCondition | undefined,
  ): Promise<ConditionalPutOutcome> {
    const encoded = encodeItem(key, item);
    if (!encoded.ok) {
      this.observer.warn('cache item not written to DynamoDB', {
        table: this.tableName,
        key,
        reason: encoded.reason,
        bytes: encoded.bytes,
      });
      this.observer.count(METRIC.cacheStoreErrors, 1, { name: 'reason', value: 'item_too_large' });
      return 'unavailable';
    }
    if (!this.breaker.allows()) {
      this.observer.count(METRIC.cacheStoreErrors, 1, { name: 'reason', value: 'circuit_open' });
      return 'unavailable';
    }
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: encoded.item,
          ...condition,
        }),
        { abortSignal: AbortSignal.timeout(this.timeoutMs) },
      );
      this.breaker.succeeded();
      return 'written';
    } catch (error) {
      // By name rather than instanceof: an injected client may come from another copy of the SDK.
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
        this.breaker.succeeded();
        return 'refused';
      }
      const opened = this.breaker.failed();
      this.observer.warn('DynamoDB cache write failed; the item is not shared', {
        table: this.tableName,
        key,
        ...describeError(error),
        ...(opened && { skippingForMs: this.breaker.cooldownMs }),
      });
      this.observer.count(METRIC.cacheStoreErrors, 1, { name: 'reason', value: 'write_error' });
      return 'unavailable';
    }
  }
}

interface WriteCondition {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: DynamoItem;
}

function conditionFor(item: StoredItem<unknown>): WriteCondition {
  return {
    ConditionExpression: NEWER_CONDITION,
    ExpressionAttributeNames: { '#pk': ATTR.key, '#exp': ATTR.expiresAtMs, '#v': ATTR.version },
    ExpressionAttributeValues: {
      ':now': { N: String(item.storedAtMs) },
      ':v': { N: String(item.version) },
    },
  };
}
