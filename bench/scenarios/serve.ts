/**
 * Throughput of `notary-gate serve` (the real CLI, in a process of its own, the handler the Lambda runs behind a
 * local HTTP server) under autocannon at 50 connections, posting the 3-image Pod. The repositories are cached after
 * the first request, so this measures the warm path plus HTTP. The server is one Node.js process: its event loop
 * runs on one core (the load generator takes the other), so admissions/s is the per-core figure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, stopDaemon, waitFor } from '../../test/harness/processes';
import { ROOT } from '../lib/bundle';
import type { BenchFixture } from '../lib/fixture';
import { generateLoad, type LoadResult } from '../lib/load-generator';
import { podReviewBody } from '../lib/pod';
import { round } from '../lib/stats';

export interface ServeResult extends LoadResult {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly firstAllowed: boolean;
}

export async function runServe(
  fixture: BenchFixture,
  options: { connections?: number; durationSeconds?: number } = {},
): Promise<ServeResult> {
  const connections = options.connections ?? 50;
  const durationSeconds = options.durationSeconds ?? 10;
  const port = await freePort();
  // stdout (the banner) and stderr (one decision record per admission) are discarded, as a log shipper would.
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'notary-gate.js'), 'serve', '--port', String(port), '--policy', fixture.policyFile],
    { cwd: ROOT, env: { PATH: process.env.PATH }, stdio: 'ignore' },
  );
  try {
    const url = `http://127.0.0.1:${port}/validate`;
    await waitFor('notary-gate serve', () => healthy(`http://127.0.0.1:${port}/healthz`), 300);
    const body = podReviewBody(fixture.images);
    const first = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const review = (await first.json()) as { response?: { allowed?: boolean } };
    const firstAllowed = first.ok && review.response?.allowed === true;
    // A short warm-up so that JIT compilation is not in the measured window.
    await generateLoad({ url, connections, durationSeconds: 2, body });
    const load = await generateLoad({ url, connections, durationSeconds, body });
    return {
      ...load,
      requestsPerSecond: round(load.requestsPerSecond, 0),
      connections,
      durationSeconds,
      firstAllowed,
    };
  } finally {
    await stopDaemon(child);
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}
