/**
 * Bundle size and module init: the bytes of code as deployed (what node loads at init, and in all), and the time
 * a fresh `node` process takes to import the handler module (what a Lambda cold start spends in INIT before the
 * first event; the runtime itself is built on the first request). Median of several fresh processes.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type BuiltBundle, lambdaLikeEnv } from '../lib/bundle';
import { elapsedMs, median, round } from '../lib/stats';

const run = promisify(execFile);

export interface BundleResult {
  readonly bytes: number;
  readonly kib: number;
  readonly initKib: number;
  readonly initBytes: number;
  readonly initMs: { readonly median: number; readonly runs: number[] };
  /** Wall time of a bare `node -e 0` run just before each init process: the machine floor of the same moments. */
  readonly nodeFloorMs: { readonly median: number };
}

/**
 * Fresh processes measured. Module init swings by a third between minutes on a shared 2-core machine; fewer than
 * this made the median move by more than the target's margin between runs of the same code.
 */
const DEFAULT_RUNS = 15;

/** An ES module program: the clock starts at its first line, as Lambda's INIT starts its handler's import. */
const MEASURE_IMPORT = `
import { pathToFileURL } from 'node:url';
const url = pathToFileURL(process.argv[1]).href;
const started = process.hrtime.bigint();
await import(url);
process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));
`;

export async function runBundle(bundle: BuiltBundle, runs = DEFAULT_RUNS): Promise<BundleResult> {
  const times: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await run(process.execPath, ['-e', '0'], { env: lambdaLikeEnv(), timeout: 30_000 });
    floors.push(elapsedMs(started));
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', MEASURE_IMPORT, bundle.file], {
      env: lambdaLikeEnv(),
      timeout: 30_000,
    });
    times.push(round(Number(stdout), 1));
  }
  return {
    bytes: bundle.bytes,
    kib: round(bundle.bytes / 1024, 1),
    initBytes: bundle.initBytes,
    initKib: round(bundle.initBytes / 1024, 1),
    initMs: { median: median(times), runs: times },
    nodeFloorMs: { median: round(median(floors), 1) },
  };
}
