/**
 * Coalesces reads into BatchGetItem calls (the DataLoader pattern): every `read` issued before the event loop
 * turns (the current tick and the promise jobs it queues) goes out in one request, so one admission costs at most
 * one round trip for all of its repositories, however many images it names.
 *
 * Never rejects: an error, throttling, a timeout or keys DynamoDB leaves unprocessed become misses, warned and
 * counted, and the caller falls back to Notary.
 */
import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { METRIC, type Observer } from '../observer';
import type { CircuitBreaker } from './circuit-breaker';
import { ATTR, type DynamoItem } from './dynamo-item';

/** BatchGetItem's own limit. */
export const MAX_KEYS_PER_BATCH = 100;

export interface BatchReaderOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly observer: Observer;
  /** Budget for one batch including its retries of unprocessed keys. */
  readonly timeoutMs: number;
  /** Retries of UnprocessedKeys (DynamoDB returns them under load or past 16 MB per response). */
  readonly maxUnprocessedRetries?: number;
  /** Shared with the store's writes: while open, reads are misses without a request. */
  readonly breaker: CircuitBreaker;
}

/** `unavailable`: DynamoDB did not answer for this key (error, throttling, timeout, left unprocessed). */
export type BatchRead = { status: 'found'; item: DynamoItem } | { status: 'absent' } | { status: 'unavailable' };

type Waiter = (result: BatchRead) => void;

interface ChunkResult {
  readonly found: Map<string, DynamoItem>;
  /** Keys DynamoDB gave no answer for. */
  readonly unanswered: ReadonlySet<string>;
}

const DEFAULT_UNPROCESSED_RETRIES = 2;
const UNPROCESSED_BACKOFF_MS = 15;

export class BatchReader {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(private readonly options: BatchReaderOptions) {}

  /** The raw item under `key`, or why there is none. Never rejects. */
  read(key: string): Promise<BatchRead> {
    return new Promise((resolve) => {
      const waiters = this.pending.get(key);
      if (waiters) waiters.push(resolve);
      else this.pending.set(key, [resolve]);
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate runs after the current tick's promise jobs: reads issued across awaits of one
        // synchronous fan-out (Promise.all over images) all land in the same batch.
        setImmediate(() => this.dispatch());
      }
    });
  }

  private dispatch(): void {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    const keys = [...batch.keys()];
    for (let start = 0; start < keys.length; start += MAX_KEYS_PER_BATCH) {
      const chunk = keys.slice(start, start + MAX_KEYS_PER_BATCH);
      void this.fetchChunk(chunk).then(({ found, unanswered }) => {
        for (const key of chunk) {
          const item = found.get(key);
          const result: BatchRead = item
            ? { status: 'found', item }
            : unanswered.has(key)
              ? { status: 'unavailable' }
              : { status: 'absent' };
          for (const resolve of batch.get(key) ?? []) resolve(result);
        }
      });
    }
  }

  /** Items found for the chunk's keys, and the keys left unanswered; never rejects. */
  private async fetchChunk(keys: string[]): Promise<ChunkResult> {
    const { client, tableName, observer, timeoutMs, breaker } = this.options;
    const found = new Map<string, DynamoItem>();
    if (!breaker.allows()) {
      observer.count(METRIC.cacheStoreErrors, 1, { name: 'reason', value: 'circuit_open' });
      return { found, unanswered: new Set(keys) };
    }
    const deadline = Date.now() + timeoutMs;
    let remaining: DynamoItem[] = keys.map((key) => ({ [ATTR.key]: { S: key } }));
    const retries = this.options.maxUnprocessedRetries ?? DEFAULT_UNPROCESSED_RETRIES;
    try {
      for (let attempt = 0; remaining.length > 0 && attempt <= retries; attempt++) {
        if (attempt > 0) await delay(UNPROCESSED_BACKOFF_MS * 2 ** (attempt - 1));
        const budgetMs = deadline - Date.now();
        if (budgetMs <= 0) break;
        const output = await client.send(
          new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: remaining } } }),
          { abortSignal: AbortSignal.timeout(budgetMs) },
        );
        for (const item of output.Responses?.[tableName] ?? []) {
          const key = item[ATTR.key]?.S;
          if (key !== undefined) found.set(key, item);
        }
        remaining = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
        breaker.succeeded();
      }
      if (remaining.length > 0) {
        observer.warn('DynamoDB left cache keys unprocessed; treating them as misses', {
          table: tableName,
          unprocessedKeys: remaining.length,
        });
        observer.count(METRIC.cacheStoreErrors, remaining.length, { name: 'reason', value: 'unprocessed' });
      }
      return { found, unanswered: new Set(remaining.map((key) => key[ATTR.key]?.S ?? '')) };
    } catch (error) {
      const opened = breaker.failed();
      observer.warn('DynamoDB cache read failed; treating it as a miss', {
        table: tableName,
        ...describeError(error),
        ...(opened && { skippingForMs: breaker.cooldownMs }),
      });
      observer.count(METRIC.cacheStoreErrors, 1, { name: 'reason', value: 'read_error' });
      return { found, unanswered: new Set(keys.filter((key) => !found.has(key))) };
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Name and message only: SDK errors carry request metadata, never credentials, but raw objects are not logged. */
export function describeError(error: unknown): { errorName: string; errorMessage: string } {
  if (error instanceof Error) return { errorName: error.name, errorMessage: error.message };
  return { errorName: 'unknown', errorMessage: String(error) };
}
