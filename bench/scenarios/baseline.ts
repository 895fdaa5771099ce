/**
 * The baseline (bench/baseline.ts, the seed's approach) on the same server and Pod: `iterations` admissions one
 * after another, each fetching a token and targets.json per image (images in parallel), timed end to end.
 */
import { BaselineChecker } from '../baseline';
import type { BenchFixture } from '../lib/fixture';
import { elapsedMs, type LatencySummary, summarize } from '../lib/stats';

export interface BaselineResult {
  readonly iterations: number;
  readonly images: number;
  readonly requestsPerAdmission: number;
  readonly latency: LatencySummary;
  readonly allAdmitted: boolean;
}

export async function runBaseline(fixture: BenchFixture, iterations = 200): Promise<BaselineResult> {
  const token = fixture.notary.token;
  if (!token) throw new Error('the baseline needs the token endpoint of the fixture');
  const checker = new BaselineChecker({
    server: fixture.notary.url,
    realm: token.realm,
    service: 'notary-server',
    ca: fixture.notary.caPem,
  });
  try {
    for (let i = 0; i < 10; i++) await checker.admit(fixture.images); // warm-up: connections, JIT
    const samples: number[] = [];
    let allAdmitted = true;
    for (let i = 0; i < iterations; i++) {
      const started = process.hrtime.bigint();
      allAdmitted &&= await checker.admit(fixture.images);
      samples.push(elapsedMs(started));
    }
    return {
      iterations,
      images: fixture.images.length,
      requestsPerAdmission: fixture.images.length * 2,
      latency: summarize(samples),
      allAdmitted,
    };
  } finally {
    checker.close();
  }
}
