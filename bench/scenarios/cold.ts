/**
 * Cold path: an instance with nothing cached (no trust data, no token, no connection) admits a Pod against the
 * local notary-server with token auth. Per repository: the Notary requests and the round trips one after another
 * (waves), and the admission time; then the same for the Pod of three repositories, fetched concurrently.
 * Every iteration gets a new runtime and a new transport, so nothing carries over.
 */
import { createWebhookHandler } from '../../functions/app';
import type { Policy } from '../../shared/policy/types';
import { NodeHttpTransport } from '../../shared/registry/http';
import type { BenchFixture } from '../lib/fixture';
import { invokeAdmission } from '../lib/invoke';
import { podReviewBody } from '../lib/pod';
import { describeWaves, RecordingTransport } from '../lib/recording-transport';
import { benchRuntime } from '../lib/runtime';
import { type LatencySummary, summarize } from '../lib/stats';
import { countingTelemetry } from '../lib/telemetry';

export interface ColdResult {
  readonly iterations: number;
  /** Requests for one repository, by kind. */
  readonly perRepository: {
    readonly requests: number;
    readonly tokenRequests: number;
    readonly challenges: number;
    /** The most frequent number of waves over the iterations, and the fewest and most seen. */
    readonly waves: number;
    readonly wavesRange: readonly [number, number];
    /** The most frequent sequence, e.g. `root,timestamp (401) > token > root,timestamp > snapshot > targets` */
    readonly sequence: string;
    readonly latency: LatencySummary;
  };
  readonly pod: { readonly repositories: number; readonly requests: number; readonly latency: LatencySummary };
  readonly allAdmitted: boolean;
}

export async function runCold(fixture: BenchFixture, policy: Policy, iterations = 25): Promise<ColdResult> {
  const one = await coldAdmissions(policy, [fixture.images[0]!], iterations);
  const all = await coldAdmissions(policy, fixture.images, iterations);
  const requests = one.lastRequests;
  const sequence = mostFrequent(one.sequences);
  const waves = one.waves[one.sequences.indexOf(sequence)]!;
  return {
    iterations,
    perRepository: {
      requests: requests.length,
      tokenRequests: requests.filter((r) => r.what === 'token').length,
      challenges: requests.filter((r) => r.status === 401).length,
      waves,
      wavesRange: [Math.min(...one.waves), Math.max(...one.waves)],
      sequence,
      latency: summarize(one.samples),
    },
    pod: { repositories: fixture.images.length, requests: all.lastRequests.length, latency: summarize(all.samples) },
    allAdmitted: one.allAdmitted && all.allAdmitted,
  };
}

async function coldAdmissions(policy: Policy, images: readonly string[], iterations: number) {
  const body = podReviewBody(images);
  const samples: number[] = [];
  let allAdmitted = true;
  let lastRequests: RecordingTransport['requests'] = [];
  // Whether two first-wave requests are retried together after the token depends on when their 401s arrive.
  const sequences: string[] = [];
  const waves: number[] = [];
  // One unmeasured round first: the first TLS handshakes of the process load OpenSSL's tables.
  for (let i = -1; i < iterations; i++) {
    const inner = new NodeHttpTransport();
    const transport = new RecordingTransport(inner);
    const runtime = benchRuntime({ policy, telemetry: countingTelemetry(), http: transport });
    const handler = createWebhookHandler(async () => runtime);
    const invocation = await invokeAdmission(handler, body);
    inner.close();
    if (i < 0) continue;
    samples.push(invocation.ms);
    allAdmitted &&= invocation.allowed;
    lastRequests = transport.requests;
    sequences.push(describeWaves(lastRequests));
    waves.push(new Set(lastRequests.map((r) => r.wave)).size);
  }
  return { samples, allAdmitted, lastRequests, sequences, waves };
}

function mostFrequent(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}
