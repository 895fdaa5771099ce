/**
 * Cold registry resolution (issue 12): a new OCI registry client per iteration (no token, no known challenge, no
 * connection, nothing in the resolution cache) resolves one image of the fake registry, by digest and by tag. The
 * transport records every request and its wave (lib/recording-transport.ts); the waves after the token are what a
 * registry's latency multiplies for each cold lookup once the instance holds a token.
 */
import { MemoryStore } from '../../shared/cache/memory-store';
import { OciRegistryClient } from '../../shared/registry/client';
import { NodeHttpTransport } from '../../shared/registry/http';
import type { RegistriesConfig } from '../../shared/registry/settings';
import type { NotationFixture } from '../lib/notation-fixture';
import { describeWaves, type RecordedRequest, RecordingTransport, wavesAfterAuth } from '../lib/recording-transport';
import { elapsedMs, type LatencySummary, summarize } from '../lib/stats';

/** Round trips after auth for one cold resolution (issue 12): a digest is one HEAD; a tag may need one more. */
export const RESOLUTION_TARGET_WAVES = { digest: 1, tag: 2 } as const;

export interface WaveCount {
  readonly iterations: number;
  /** Requests of the last iteration, all of them (challenges and the token included). */
  readonly requests: number;
  readonly tokenRequests: number;
  readonly challenges: number;
  /** All waves, and the waves after the token: the most frequent over the iterations, and the most seen. */
  readonly waves: number;
  readonly wavesAfterAuth: number;
  readonly maxWavesAfterAuth: number;
  /** The most frequent sequence, e.g. `HEAD manifest (401) > token > HEAD manifest`. */
  readonly sequence: string;
  readonly latency: LatencySummary;
  readonly allAnswered: boolean;
}

export interface RegistryResult {
  readonly digest: WaveCount;
  readonly tag: WaveCount;
}

export function registriesFor(fixture: NotationFixture): RegistriesConfig {
  return { [fixture.host]: { ca: undefined, plainHttp: true, endpoint: undefined, auth: undefined } };
}

export async function runRegistry(fixture: NotationFixture, iterations = 25): Promise<RegistryResult> {
  const image = fixture.images[0]!;
  const repo = { host: fixture.host, repository: image.repository };
  const registries = registriesFor(fixture);
  const measure = (reference: string, expected: string) =>
    countWaves(iterations, async (http) => {
      const client = new OciRegistryClient({ http, store: new MemoryStore(), registries });
      const descriptor = await client.resolve(repo, reference, { signal: AbortSignal.timeout(10_000) });
      return descriptor.digest === expected;
    });
  return {
    digest: await measure(image.descriptor.digest, image.descriptor.digest),
    tag: await measure('v1', image.descriptor.digest),
  };
}

/**
 * Runs `work` once unmeasured and then `iterations` times, each with a new transport; counts requests and waves.
 * Shared with the cold Notation scenario.
 */
export async function countWaves(
  iterations: number,
  work: (http: RecordingTransport) => Promise<boolean>,
): Promise<WaveCount> {
  const samples: number[] = [];
  const sequences: string[] = [];
  const waves: number[] = [];
  const after: number[] = [];
  let last: readonly RecordedRequest[] = [];
  let allAnswered = true;
  for (let i = -1; i < iterations; i++) {
    const inner = new NodeHttpTransport();
    const http = new RecordingTransport(inner);
    const started = process.hrtime.bigint();
    const ok = await work(http);
    const ms = elapsedMs(started);
    inner.close();
    if (i < 0) continue;
    samples.push(ms);
    allAnswered &&= ok;
    last = http.requests;
    sequences.push(describeWaves(last));
    waves.push(new Set(last.map((r) => r.wave)).size);
    after.push(wavesAfterAuth(last));
  }
  const sequence = mostFrequent(sequences);
  const index = sequences.indexOf(sequence);
  return {
    iterations,
    requests: last.length,
    tokenRequests: last.filter((r) => r.what === 'token').length,
    challenges: last.filter((r) => r.status === 401).length,
    waves: waves[index]!,
    wavesAfterAuth: after[index]!,
    maxWavesAfterAuth: Math.max(...after),
    sequence,
    latency: summarize(samples),
    allAnswered,
  };
}

function mostFrequent(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}
