/**
 * CLI startup, as an installed user feels it: the compiled CLI (scripts/bundle-cli.mjs, the package's `bin`) in
 * fresh processes, side by side with the floors it is judged against. Each round runs, one after another and in
 * an order that rotates every round, a bare `node -e 0` (the floor of any Node CLI), `notary-gate --help`, the Go
 * `notary list` against the local notary-server (a fresh trust folder holding only the repository's root, so it
 * fetches and verifies timestamp, snapshot and targets through token auth) and a cold `notary-gate check` of the
 * same repository (pinned root, token auth, nothing cached). Ratios are taken within a round (the two runs saw the
 * same machine load) and the median ratio is reported: on a shared machine, absolute times drift between rounds.
 * The CLI keeps a V8 code cache of itself in the user's cache folder (cli/code-cache.ts; here under the bench's
 * own HOME, removed afterwards): the first `check` writes it, the later ones use it, as an installed CLI's runs
 * after its first do. A fifth command, the same `check` with the code cache off, gives what a first run (or a CI
 * container that keeps no cache) costs.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BenchFixture, REPOSITORIES, signedHex } from '../lib/fixture';
import { elapsedMs, median, round } from '../lib/stats';

const ROOT = path.join(__dirname, '..', '..');

export interface StartupResult {
  readonly rounds: number;
  readonly entryKiB: number;
  /** Median wall time of each command, milliseconds. */
  readonly medianMs: {
    readonly node: number;
    readonly help: number;
    readonly notaryList: number;
    readonly check: number;
    /** `check` with the code cache off (NOTARY_GATE_DISABLE_COMPILE_CACHE): a first run. */
    readonly checkNoCodeCache: number;
  };
  /** Median of the per-round ratios. */
  readonly helpOverNode: number;
  readonly checkOverNotaryList: number;
  readonly checkNoCodeCacheOverNotaryList: number;
  readonly checkAllowed: boolean;
}

/** Fewer rounds than this make the medians swing by more than the targets' margins on a 2-core machine. */
const DEFAULT_ROUNDS = 21;

export async function runStartup(fixture: BenchFixture, rounds = DEFAULT_ROUNDS): Promise<StartupResult> {
  const work = await mkdtemp(path.join(tmpdir(), 'notary-gate-bench-cli-'));
  try {
    const script = pathToFileURL(path.join(ROOT, 'scripts', 'bundle-cli.mjs')).href;
    const { bundleCli } = (await import(script)) as {
      bundleCli(options: { outdir: string }): Promise<{ entry: string; entryBytes: number }>;
    };
    const { entry, entryBytes } = await bundleCli({ outdir: path.join(work, 'cli') });
    const gun = REPOSITORIES[0]!;
    const image = `${gun}@sha256:${signedHex(gun)}`;
    // The notary client's trust folder after one `notary list`: its root is what it trusts from then on (pinned).
    const pinned = path.join(work, 'notary-pinned');
    await fixture.notary.notary(['-d', pinned, 'list', gun]);
    await rm(path.join(pinned, 'tuf', gun, 'metadata', 'timestamp.json'), { force: true });
    await rm(path.join(pinned, 'tuf', gun, 'metadata', 'snapshot.json'), { force: true });
    await rm(path.join(pinned, 'tuf', gun, 'metadata', 'targets.json'), { force: true });
    const cleanEnv = { PATH: process.env.PATH ?? '', HOME: work };

    // A fresh copy of the pinned trust folder per round, made before the clock starts.
    const notaryDir = (index: number) => path.join(work, `notary-${index}`);
    const prepare = async (name: string, index: number) => {
      if (name !== 'notaryList') return;
      await mkdir(notaryDir(index));
      await cp(pinned, notaryDir(index), { recursive: true });
    };
    const commands: Record<keyof StartupResult['medianMs'], (round: number) => Promise<{ ok: boolean }>> = {
      node: () => timed(process.execPath, ['-e', '0'], cleanEnv),
      help: () => timed(process.execPath, [entry, '--help'], cleanEnv),
      notaryList: (index) =>
        fixture.notary.notary(['-d', notaryDir(index), 'list', gun]).then(
          () => ({ ok: true }),
          () => ({ ok: false }),
        ),
      check: () => timed(process.execPath, [entry, 'check', '--policy', fixture.policyFile, image], cleanEnv),
      checkNoCodeCache: () =>
        timed(process.execPath, [entry, 'check', '--policy', fixture.policyFile, image], {
          ...cleanEnv,
          NOTARY_GATE_DISABLE_COMPILE_CACHE: '1',
        }),
    };
    const names = Object.keys(commands) as (keyof StartupResult['medianMs'])[];
    const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
      keyof StartupResult['medianMs'],
      number[]
    >;
    let checkAllowed = true;
    for (let index = 0; index < rounds; index++) {
      // Rotate the order so that no command always runs right after a particular other one.
      const order = names.map((_, i) => names[(i + index) % names.length]!);
      for (const name of order) {
        await prepare(name, index);
        const started = process.hrtime.bigint();
        const { ok } = await commands[name](index);
        samples[name].push(elapsedMs(started));
        if ((name === 'check' || name === 'checkNoCodeCache') && !ok) checkAllowed = false;
        if (name === 'notaryList' && !ok) throw new Error('notary list failed against the bench notary-server');
      }
    }
    const ratio = (a: number[], b: number[]) => round(median(a.map((value, i) => value / b[i]!)), 2);
    return {
      rounds,
      entryKiB: round(entryBytes / 1024, 1),
      medianMs: {
        node: round(median(samples.node), 1),
        help: round(median(samples.help), 1),
        notaryList: round(median(samples.notaryList), 1),
        check: round(median(samples.check), 1),
        checkNoCodeCache: round(median(samples.checkNoCodeCache), 1),
      },
      helpOverNode: ratio(samples.help, samples.node),
      checkOverNotaryList: ratio(samples.check, samples.notaryList),
      checkNoCodeCacheOverNotaryList: ratio(samples.checkNoCodeCache, samples.notaryList),
      checkAllowed,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function timed(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean }> {
  return new Promise((resolve) => {
    // Asynchronous: the bench process serves the Notary token endpoint meanwhile.
    execFile(file, args, { env, timeout: 30_000 }, (error) => resolve({ ok: !error }));
  });
}
