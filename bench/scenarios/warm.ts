/**
 * Warm admission: the bundled Lambda, in a process of its own, with every repository of the Pod in its in-process
 * cache. The first admission fetches and verifies from the notary-server; after a warm-up, each of `iterations`
 * admissions of the 3-image Pod is timed from `handler(event, context)` to its answer (the whole middy chain:
 * routing, body parsing, the review, the decision log line and the metrics flush).
 *
 * Given the Notation fixture, the same instance also admits a Pod of three Notation-signed images (issue 13) and
 * pins the Notary Pod's tags on `/mutate` (issue 15), interleaved with the Notary admissions round by round
 * (workers/lambda-worker.cjs), so that the rows compare within one run, noise and garbage collection included.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { type BuiltBundle, lambdaLikeEnv } from '../lib/bundle';
import { type BenchFixture, REPOSITORIES } from '../lib/fixture';
import type { NotationFixture } from '../lib/notation-fixture';
import { podReviewBody } from '../lib/pod';
import { type LatencySummary, round, summarize } from '../lib/stats';

/** Another kind of request timed interleaved with the Notary admissions. */
export interface PairedKind {
  readonly images: number;
  readonly latency: LatencySummary;
  /** The instance's first such request (the Notation Pod's: fetched and verified from the registry). */
  readonly firstMs: number;
  /** Every request answered as expected: /validate admitted, /mutate admitted with a patch. */
  readonly allOk: boolean;
}

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
  /** The Notation Pod on /validate, interleaved (when the Notation fixture ran). */
  readonly notation?: PairedKind;
  /** The Notary Pod by tag on /mutate, interleaved: each tag pinned to its signed digest. */
  readonly mutate?: PairedKind;
}

interface WorkerKind {
  readonly name: string;
  readonly firstMs: number;
  readonly firstOk: boolean;
  readonly samples: number[];
  readonly failed: number;
}

interface WorkerReply {
  readonly ok: boolean;
  readonly error?: string;
  readonly kinds: WorkerKind[];
  readonly floorSamples: number[];
}

export interface WarmOptions {
  readonly iterations?: number;
  readonly warmup?: number;
  /** The Notation images and the policy file that verifies both them and the Notary repositories. */
  readonly notation?: { readonly fixture: NotationFixture; readonly policyFile: string };
}

export async function runWarm(
  fixture: BenchFixture,
  bundle: BuiltBundle,
  options: WarmOptions = {},
): Promise<WarmResult> {
  const iterations = options.iterations ?? 5_000;
  const warmup = options.warmup ?? 1_000;
  const notation = options.notation;
  const kinds = [{ name: 'notary', path: '/validate', body: podReviewBody(fixture.images) }];
  if (notation) {
    kinds.push(
      { name: 'notation', path: '/validate', body: podReviewBody(notation.fixture.images.map((i) => i.byDigest)) },
      { name: 'mutate', path: '/mutate', body: podReviewBody(REPOSITORIES.map((repository) => `${repository}:v1`)) },
    );
  }
  const reply = await runLambdaWorker(
    { bundle: bundle.file, kinds, warmup, iterations },
    lambdaLikeEnv({ POLICY_FILE: notation?.policyFile ?? fixture.policyFile }),
  );
  const byName = new Map(reply.kinds.map((kind) => [kind.name, kind]));
  const notary = byName.get('notary')!;
  const paired = (name: string, images: number): PairedKind | undefined => {
    const kind = byName.get(name);
    if (!kind) return undefined;
    return {
      images,
      latency: summarize(kind.samples),
      firstMs: round(kind.firstMs),
      allOk: kind.firstOk && kind.failed === 0,
    };
  };
  return {
    iterations,
    warmup,
    images: fixture.images.length,
    latency: summarize(notary.samples),
    floor: summarize(reply.floorSamples),
    firstAdmissionMs: round(notary.firstMs),
    allAdmitted: notary.firstOk && notary.failed === 0,
    notation: paired('notation', notation?.fixture.images.length ?? 0),
    mutate: paired('mutate', REPOSITORIES.length),
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
