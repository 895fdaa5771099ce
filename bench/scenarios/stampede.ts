/**
 * Stampede: a rollout lands 200 admissions of one repository nobody has cached, all at once, on one instance.
 * The trust cache's single flight should make that one fetch-and-verify from Notary (one sequence of waves),
 * with every admission answered from it.
 */
import { createWebhookHandler } from '../../functions/app';
import type { Policy } from '../../shared/policy/types';
import { NodeHttpTransport } from '../../shared/registry/http';
import type { BenchFixture } from '../lib/fixture';
import { invokeAdmission } from '../lib/invoke';
import { podReviewBody } from '../lib/pod';
import { describeWaves, RecordingTransport } from '../lib/recording-transport';
import { benchRuntime } from '../lib/runtime';
import { elapsedMs, type LatencySummary, round, summarize } from '../lib/stats';
import { countingTelemetry } from '../lib/telemetry';

export interface StampedeResult {
  readonly concurrent: number;
  /** Times the repository was fetched and verified (timestamp.json answered 200): target 1. */
  readonly repositoryFetches: number;
  readonly notaryRequests: number;
  readonly waves: number;
  readonly sequence: string;
  readonly answered: number;
  readonly admitted: number;
  readonly wallMs: number;
  readonly latency: LatencySummary;
}

export async function runStampede(fixture: BenchFixture, policy: Policy, concurrent = 200): Promise<StampedeResult> {
  const inner = new NodeHttpTransport();
  const transport = new RecordingTransport(inner);
  const runtime = benchRuntime({ policy, telemetry: countingTelemetry(), http: transport });
  const handler = createWebhookHandler(async () => runtime);
  const image = fixture.images[1]!;
  try {
    const started = process.hrtime.bigint();
    const results = await Promise.all(
      Array.from({ length: concurrent }, (_, index) =>
        invokeAdmission(handler, podReviewBody([image], `stampede-${index}`)),
      ),
    );
    const wallMs = round(elapsedMs(started));
    const requests = transport.requests;
    return {
      concurrent,
      repositoryFetches: requests.filter((r) => r.what === 'timestamp.json' && r.status === 200).length,
      notaryRequests: requests.length,
      waves: new Set(requests.map((r) => r.wave)).size,
      sequence: describeWaves(requests),
      answered: results.filter((r) => r.statusCode === 200).length,
      admitted: results.filter((r) => r.allowed).length,
      wallMs,
      latency: summarize(results.map((r) => r.ms)),
    };
  } finally {
    inner.close();
  }
}
