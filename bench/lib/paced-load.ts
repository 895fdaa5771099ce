/**
 * An open-loop load generator: requests leave at a fixed rate whatever the server does, over a pool of keep-alive
 * connections, and each latency counts from when its request was due (so a stalled server cannot hide its queue:
 * no coordinated omission). autocannon's own rate option is not this: each connection sends its share of the
 * second back to back and then idles, so it measures bursts of full-speed load.
 */
import http from 'node:http';
import type { LoadResult } from './load-generator';
import { percentile } from './stats';

export interface PacedLoadOptions {
  readonly url: string;
  readonly body: string;
  readonly ratePerSecond: number;
  readonly durationSeconds: number;
  readonly connections: number;
}

export async function pacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const intervalMs = 1000 / options.ratePerSecond;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  try {
    for (let sent = 0; sent < total; ) {
      const now = performance.now();
      // Everything due by now leaves now: timers tick at 1 ms, so at 2,000/s two requests leave per tick.
      while (sent < total && started + sent * intervalMs <= now) {
        const dueAt = started + sent * intervalMs;
        inFlight.push(
          post(agent, options.url, options.body).then(
            (status) => {
              latencies.push(performance.now() - dueAt);
              if (status < 200 || status >= 300) non2xx++;
            },
            () => {
              errors++;
            },
          ),
        );
        sent++;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: latencies.length / elapsedSeconds,
    p50Ms: Math.round(percentile(sorted, 50) * 100) / 100,
    p99Ms: Math.round(percentile(sorted, 99) * 100) / 100,
    total: latencies.length,
    non2xx,
    errors,
    timeouts: 0,
  };
}

function post(agent: http.Agent, url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.setTimeout(10_000, () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
}
