/**
 * Builds the cache once per cold start (Lambda) or per run (CLI): memory only when no table is named, otherwise
 * memory in front of DynamoDB. The key-value store is shared with the Notary client (tokens, TOFU roots, highest
 * role versions); the trust cache sits on the same store.
 */
import { ENV } from '../constants';
import { type Observer, silentObserver } from '../observer';
import { LazyStore } from './lazy-store';
import { MemoryStore, type MemoryStoreOptions } from './memory-store';
import { TieredStore } from './tiered-store';
import { TieredTrustCache } from './trust-cache';
import type { TrustCache } from './trust-cache-types';
import type { KeyValueStore } from './types';

export interface Cache {
  readonly store: KeyValueStore;
  readonly trustCache: TrustCache;
  /** Awaits the cache writes still in flight; call it before the Lambda returns or the CLI exits. */
  flush(): Promise<void>;
}

export interface CacheOptions {
  /** DynamoDB table; absent: in-process memory only. */
  readonly tableName?: string;
  /** A local DynamoDB such as dynalite (AWS_ENDPOINT_URL_DYNAMODB). */
  readonly endpoint?: string;
  readonly region?: string;
  readonly timeoutMs?: number;
  readonly memory?: MemoryStoreOptions;
  readonly negativeTtlMs?: number;
  readonly observer?: Observer;
}

/** Region used with a custom endpoint when none is configured: local DynamoDBs accept any region. */
const LOCAL_ENDPOINT_REGION = 'us-east-1';

export function createCache(options: CacheOptions = {}): Cache {
  const observer = options.observer ?? silentObserver;
  const memory = new MemoryStore({ ...options.memory, observer });
  const tableName = options.tableName?.trim();
  let store: KeyValueStore = memory;
  if (tableName) {
    // The DynamoDB store (and the AWS SDK under it) loads on first use: `check` without a table never loads it.
    const remote = new LazyStore(async () => {
      const [{ createCacheDynamoClient, DEFAULT_DYNAMO_TIMEOUT_MS }, { DynamoStore }] = await Promise.all([
        import('./dynamo-client'),
        import('./dynamo-store'),
      ]);
      const timeoutMs = options.timeoutMs ?? DEFAULT_DYNAMO_TIMEOUT_MS;
      const region = options.region ?? (options.endpoint ? LOCAL_ENDPOINT_REGION : undefined);
      const client = createCacheDynamoClient({
        timeoutMs,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(region ? { region } : {}),
      });
      return new DynamoStore({ tableName, client, observer, timeoutMs });
    });
    store = new TieredStore(memory, remote);
  }
  const trustCache = new TieredTrustCache({
    store,
    observer,
    ...(options.negativeTtlMs !== undefined ? { negativeTtlMs: options.negativeTtlMs } : {}),
  });
  return { store, trustCache, flush: async () => store.flush?.() };
}

/**
 * CACHE_TABLE unset or empty: memory only. The endpoint override is read from `env` and passed explicitly (the
 * SDK also honours AWS_ENDPOINT_URL_DYNAMODB on its own, but only from process.env, and `env` may be another map).
 */
export function createCacheFromEnv(env: NodeJS.ProcessEnv, observer?: Observer): Cache {
  const endpoint = env[ENV.dynamodbEndpoint]?.trim();
  const region = (env.AWS_REGION ?? env.AWS_DEFAULT_REGION)?.trim();
  return createCache({
    ...(env[ENV.cacheTable] ? { tableName: env[ENV.cacheTable] } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(observer ? { observer } : {}),
  });
}
