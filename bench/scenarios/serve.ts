/**
 * Throughput of `notary-gate serve` (the real CLI, in a process of its own, the handler the Lambda runs behind a
 * local HTTP server) under autocannon at 50 connections, posting the 3-image Pod. The repositories are cached after
 * the first request, so this measures the warm path plus HTTP. The server is one Node.js process: its event loop
 * runs on one core (the load generator takes the other), so admissions/s is the per-core figure.
 *
 * Two runs: autocannon as fast as the server answers (the throughput), then an open-loop load at a steady 2,000
 * admissions/s, the throughput target, over at most 50 connections (bench/lib/paced-load.ts: the latency at that
 * load). The first run's latency is not a service time: 50 connections each waiting for its answer before sending
 * again keep 50 requests queued, so its mean is 50 / throughput whatever the server does (Little's law), e.g.
 * 16 ms at 3,000/s. Last, the machine floor (see floorAtRate).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, stopDaemon, waitFor } from '../../test/harness/processes';
import { ROOT } from '../lib/bundle';
import type { BenchFixture } from '../lib/fixture';
import { generateLoad, type LoadResult } from '../lib/load-generator';
import { type PacedLoadOptions, pacedLoad } from '../lib/paced-load';
import { podReviewBody } from '../lib/pod';
import { round } from '../lib/stats';

export interface ServeResult extends LoadResult {
  /** The second run, at `rate` admissions/s. */
  readonly atRate: LoadResult & { readonly rate: number };
  /**
   * The same paced load against a plain node HTTP server that spins the CPU per request for as long as the
   * webhook's handler takes (the warm p50), in a process of its own: what any node server doing that much work
   * gets at that rate on this machine (queueing, scheduling, other work on its 2 cores, the generator).
   */
  readonly floorAtRate: LoadResult & { readonly spinMs: number };
  readonly connections: number;
  readonly durationSeconds: number;
  readonly firstAllowed: boolean;
}

export async function runServe(
  fixture: BenchFixture,
  options: { connections?: number; durationSeconds?: number; rate?: number; floorSpinMs?: number } = {},
): Promise<ServeResult> {
  const connections = options.connections ?? 50;
  const rate = options.rate ?? 2_000;
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
    const atRate = await pacedLoad({ url, body, ratePerSecond: rate, durationSeconds, connections });
    const spinMs = round(options.floorSpinMs ?? 0, 3);
    const floorAtRate = await machineFloor(spinMs, { body, ratePerSecond: rate, durationSeconds, connections });
    return {
      floorAtRate: { ...floorAtRate, spinMs, requestsPerSecond: round(floorAtRate.requestsPerSecond, 0) },
      ...load,
      atRate: { ...atRate, rate, requestsPerSecond: round(atRate.requestsPerSecond, 0) },
      requestsPerSecond: round(load.requestsPerSecond, 0),
      connections,
      durationSeconds,
      firstAllowed,
    };
  } finally {
    await stopDaemon(child);
  }
}

/** An HTTP server that spins the CPU for `spinMs` per request and answers `{}`: load without any webhook. */
const SPIN_SERVER = `
const spinMs = Number(process.argv[2]);
require('node:http')
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const started = performance.now();
      while (performance.now() - started < spinMs) {}
      res.end('{}');
    });
  })
  .listen(Number(process.argv[1]), '127.0.0.1');
`;

async function machineFloor(spinMs: number, options: Omit<PacedLoadOptions, 'url'>): Promise<LoadResult> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', SPIN_SERVER, String(port), String(spinMs)], { stdio: 'ignore' });
  try {
    await waitFor('spinning server', () => healthy(`http://127.0.0.1:${port}/`), 100);
    return await pacedLoad({ ...options, url: `http://127.0.0.1:${port}/` });
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
