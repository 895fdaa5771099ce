/**
 * Bundle size and module init: the bytes of index.js as deployed, and the time a fresh `node` process takes to
 * `require` it (what a Lambda cold start spends in INIT before the first event; the runtime itself is built on the
 * first request). Median of several fresh processes.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type BuiltBundle, lambdaLikeEnv } from '../lib/bundle';
import { median, round } from '../lib/stats';

const run = promisify(execFile);

export interface BundleResult {
  readonly bytes: number;
  readonly kib: number;
  readonly initMs: { readonly median: number; readonly runs: number[] };
}

const MEASURE_REQUIRE = `
const started = process.hrtime.bigint();
require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));
`;

export async function runBundle(bundle: BuiltBundle, runs = 7): Promise<BundleResult> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, ['-e', MEASURE_REQUIRE, bundle.file], {
      env: lambdaLikeEnv(),
      timeout: 30_000,
    });
    times.push(round(Number(stdout), 1));
  }
  return { bytes: bundle.bytes, kib: round(bundle.bytes / 1024, 1), initMs: { median: median(times), runs: times } };
}
