/**
 * A real (if local) DynamoDB for tests: dynalite in this process, on 127.0.0.1 and a port the OS picks. It counts
 * the requests it receives per operation, so tests assert round trips ("one BatchGetItem") rather than time.
 * Tables get the key schema the CDK table declares (CACHE_TABLE_SCHEMA).
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CACHE_TABLE_SCHEMA } from '../../shared/constants';

export const TEST_REGION = 'us-east-1';
/** dynalite checks that requests are signed, not by whom. */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
/**
 * The budget a DynamoStore gets against this dynalite (pass it as `timeoutMs`). The product's 800 ms
 * (DEFAULT_DYNAMO_TIMEOUT_MS) is about an in-region DynamoDB; dynalite runs in the test's own process, and on a loaded
 * 2-core CI machine one of its answers can take longer than that, which turned reads into misses and opened the
 * circuit breaker at random. Tests against dynalite assert round trips and values, never time; the timeout paths
 * are tested with endpoints that never answer (test/shared/cache/fake-dynamo.ts) and their own short budgets.
 */
export const DYNALITE_TIMEOUT_MS = 20_000;
/** Environment for child processes (CLI) that should use this dynalite. */
export function dynaliteEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  };
}

export interface Dynalite {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** Creates a cache table (string partition key `pk`) and returns once it is ACTIVE. */
  createTable(name: string): Promise<void>;
  /** A client for this dynalite with dummy credentials and a single attempt. */
  client(): DynamoDBClient;
  /** Requests received since start (or the last reset), for one operation such as 'BatchGetItem', or all. */
  requestCount(operation?: string): number;
  resetCounts(): void;
  stop(): Promise<void>;
}

type DynaliteFactory = (options: { createTableMs: number }) => Server;
const dynalite = createRequire(__filename)('dynalite') as DynaliteFactory;

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0 });
  const counts = new Map<string, number>();
  server.on('request', (request) => {
    // x-amz-target is `DynamoDB_20120810.<Operation>`.
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: DynamoDBClient[] = [];

  const client = (): DynamoDBClient => {
    const created = new DynamoDBClient({
      endpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    clients.push(created);
    return created;
  };

  return {
    endpoint,
    client,
    async createTable(name) {
      const admin = client();
      await admin.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: CACHE_TABLE_SCHEMA.partitionKey, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: CACHE_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await waitUntilTableExists({ client: admin, maxWaitTime: 10, minDelay: 1 }, { TableName: name });
    },
    requestCount(operation) {
      if (operation !== undefined) return counts.get(operation) ?? 0;
      let total = 0;
      for (const n of counts.values()) total += n;
      return total;
    },
    resetCounts() {
      counts.clear();
    },
    async stop() {
      for (const created of clients) created.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
