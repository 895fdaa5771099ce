/**
 * Warm admission: the bundled Lambda, in a process of its own, with every repository of the Pod in its in-process
 * cache. The first admission fetches and verifies from the notary-server; after a warm-up, each of `iterations`
 * admissions of the 3-image Pod is timed from `handler(event, context)` to its answer (the whole middy chain:
 * routing, body parsing, the review, the decision log line and the metrics flush).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { type BuiltBundle, lambdaLikeEnv } from '../lib/bundle';
import type { BenchFixture } from '../lib/fixture';
import { podReviewBody } from '../lib/pod';
import { type LatencySummary, round, summarize } from '../lib/stats';

export interface WarmResult {
  readonly iterations: number;
  readonly warmup: number;
  readonly images: number;
  readonly latency: LatencySummary;
  /**
   * The same number of spans that only spin the CPU for the admissions' median time, in the same process: the
   * p99 this machine gives any work of that length (preemption, timers), whatever the webhook does.
   */
  readonly floor: LatencySummary;
  /** The first admission of the instance, which fetched from Notary (after module init). */
  readonly firstAdmissionMs: number;
  readonly allAdmitted: boolean;
}

interface WorkerReply {
  readonly ok: boolean;
  readonly error?: string;
  readonly firstMs: number;
  readonly firstAllowed: boolean;
  readonly samples: number[];
  readonly floorSamples: number[];
  readonly denied: number;
}

export async function runWarm(
  fixture: BenchFixture,
  bundle: BuiltBundle,
  options: { iterations?: number; warmup?: number } = {},
): Promise<WarmResult> {
  const iterations = options.iterations ?? 5_000;
  const warmup = options.warmup ?? 1_000;
  const reply = await runLambdaWorker(
    { bundle: bundle.file, body: podReviewBody(fixture.images), warmup, iterations },
    lambdaLikeEnv({ POLICY_FILE: fixture.policyFile }),
  );
  return {
    iterations,
    warmup,
    images: fixture.images.length,
    latency: summarize(reply.samples),
    floor: summarize(reply.floorSamples),
    firstAdmissionMs: round(reply.firstMs),
    allAdmitted: reply.firstAllowed && reply.denied === 0,
  };
}

function runLambdaWorker(message: object, env: NodeJS.ProcessEnv): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    // stdout ignored: the decision records and EMF lines the function would send to CloudWatch.
    const child = fork(path.join(__dirname, '..', 'workers', 'lambda-worker.cjs'), [], {
      env,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (reply: WorkerReply) => {
      child.kill();
      if (reply.ok) resolve(reply);
      else reject(new Error(`lambda worker failed: ${reply.error}`));
    });
    child.once('exit', (code) => reject(new Error(`lambda worker exited with ${code} before answering`)));
    child.send(message);
  });
}
