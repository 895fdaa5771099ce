/**
 * The DynamoDB client the cache uses when none is injected: short timeouts and few attempts, so that a slow or
 * dead DynamoDB costs an admission a fraction of a second (then Notary is asked) instead of its whole deadline.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface CacheClientOptions {
  /** Per HTTP attempt; the store also bounds each whole call by the same budget with an abort signal. */
  readonly timeoutMs: number;
  /** e.g. a local dynalite. Without it the SDK resolves the endpoint itself (it honours AWS_ENDPOINT_URL_DYNAMODB). */
  readonly endpoint?: string;
  readonly region?: string;
  /** Only for local DynamoDBs in tests; in AWS the SDK's default chain (the Lambda role) is right. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** A DynamoDB round trip inside one region takes milliseconds; this leaves room for a cold TLS handshake. */
export const DEFAULT_DYNAMO_TIMEOUT_MS = 800;

/** Throttling and transient errors get one retry; beyond that the cache reports a miss and Notary is asked. */
const MAX_ATTEMPTS = 2;

export function createCacheDynamoClient(options: CacheClientOptions): DynamoDBClient {
  return new DynamoDBClient({
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: options.timeoutMs,
      requestTimeout: options.timeoutMs,
    },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
}
