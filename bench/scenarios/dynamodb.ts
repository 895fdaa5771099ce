/**
 * DynamoDB path: another instance already verified the Pod's repositories and shared them through the table
 * (DynamoDB warm), this instance has them nowhere in memory (in-process cache cold).
 *
 * The knob: each admission gets a new runtime with a new, empty memory tier in front of one shared DynamoStore,
 * exactly what a new Lambda instance has, except that the DynamoDB client and its keep-alive connection are
 * reused (a new instance would also open a connection once; that is init cost, not per-admission cost). The
 * handler is the real middy chain from source; DynamoDB is dynalite (test harness), which counts the requests
 * it receives, so round trips are counted at the server, not inferred. dynalite runs in this process, so its own
 * request handling lands inside the measured time: the latency here is an upper bound.
 */
import { createWebhookHandler } from '../../functions/app';
import { createCacheDynamoClient, DEFAULT_DYNAMO_TIMEOUT_MS } from '../../shared/cache/dynamo-client';
import { DynamoStore } from '../../shared/cache/dynamo-store';
import { MemoryStore } from '../../shared/cache/memory-store';
import { TieredStore } from '../../shared/cache/tiered-store';
import type { Policy } from '../../shared/policy/types';
import { NodeHttpTransport } from '../../shared/registry/http';
import { startDynalite, TEST_CREDENTIALS, TEST_REGION } from '../../test/harness/dynalite';
import type { BenchFixture } from '../lib/fixture';
import { invokeAdmission } from '../lib/invoke';
import { podReviewBody } from '../lib/pod';
import { benchRuntime } from '../lib/runtime';
import { type LatencySummary, round, summarize } from '../lib/stats';
import { countingTelemetry } from '../lib/telemetry';

const TABLE = 'notary-gate-bench';

export interface DynamoResult {
  readonly iterations: number;
  readonly images: number;
  /** DynamoDB requests per admission, all operations together (target: exactly 1). */
  readonly roundTripsPerAdmission: number;
  readonly requestsByOperation: Record<string, number>;
  /** Where the images' trust data came from, over all measured admissions (all `dynamodb` when right). */
  readonly sources: Record<string, number>;
  readonly latency: LatencySummary;
  readonly allAdmitted: boolean;
}

export async function runDynamo(fixture: BenchFixture, policy: Policy, iterations = 1_000): Promise<DynamoResult> {
  const dynalite = await startDynalite();
  const http = new NodeHttpTransport();
  const client = createCacheDynamoClient({
    timeoutMs: DEFAULT_DYNAMO_TIMEOUT_MS,
    endpoint: dynalite.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
  try {
    await dynalite.createTable(TABLE);
    const shared = new DynamoStore({ tableName: TABLE, client });
    const body = podReviewBody(fixture.images);
    const admitOnNewInstance = async (telemetry = countingTelemetry()) => {
      const store = new TieredStore(new MemoryStore(), shared);
      const runtime = benchRuntime({ policy, telemetry, http, store });
      return invokeAdmission(
        createWebhookHandler(async () => runtime),
        body,
      );
    };
    // The first instance verifies from Notary and writes the table (the handler awaits the writes: flush).
    const first = await admitOnNewInstance();
    if (!first.allowed) throw new Error('the first admission (from Notary) was not allowed');
    for (let i = 0; i < 100; i++) await admitOnNewInstance(); // warm-up: JIT, the connection to dynalite

    dynalite.resetCounts();
    const telemetry = countingTelemetry();
    const samples: number[] = [];
    let allAdmitted = true;
    for (let i = 0; i < iterations; i++) {
      const invocation = await admitOnNewInstance(telemetry);
      samples.push(invocation.ms);
      allAdmitted &&= invocation.allowed;
    }
    const operations = ['BatchGetItem', 'GetItem', 'PutItem', 'Query', 'Scan'];
    const requestsByOperation = Object.fromEntries(
      operations.map((op) => [op, dynalite.requestCount(op)]).filter(([, count]) => count !== 0),
    );
    return {
      iterations,
      images: fixture.images.length,
      roundTripsPerAdmission: round(dynalite.requestCount() / iterations, 3),
      requestsByOperation,
      sources: Object.fromEntries(telemetry.sources),
      latency: summarize(samples),
      allAdmitted,
    };
  } finally {
    http.close();
    client.destroy();
    await dynalite.stop();
  }
}
