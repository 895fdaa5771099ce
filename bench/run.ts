/**
 * `npm run bench`: the published benchmark (docs/performance.md). Starts a real notary-server with token auth
 * (test harness), publishes three signed repositories with the real `notary` client, signs three images with
 * Notation on the harness's in-process OCI registry, builds the Lambda bundle with the project's script, runs
 * each scenario in turn, prints a table with each target, and writes the numbers to bench/results/latest.json.
 * Not part of `npm test`; takes one to two minutes on a quiet machine.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPolicy } from '../shared/policy/load';
import { hasCommand } from '../test/harness/processes';
import { buildBundle } from './lib/bundle';
import { startFixture } from './lib/fixture';
import { machineInfo } from './lib/machine';
import { startNotationFixture, writeCombinedPolicy } from './lib/notation-fixture';
import { publishTable } from './lib/publish';
import { formatTable } from './lib/report';
import { elapsedMs, round } from './lib/stats';
import { runBaseline } from './scenarios/baseline';
import { runBundle } from './scenarios/bundle';
import { runCold } from './scenarios/cold';
import { runDelegations } from './scenarios/delegations';
import { runDynamo } from './scenarios/dynamodb';
import { runEnvelopeCpu } from './scenarios/envelope-cpu';
import { runNotationCold } from './scenarios/notation-cold';
import { runRegistry } from './scenarios/registry';
import { runServe } from './scenarios/serve';
import { runStampede } from './scenarios/stampede';
import { runStartup } from './scenarios/startup';
import { runWarm } from './scenarios/warm';
import { summaryRows } from './summary';

const RESULTS = path.join(__dirname, 'results', 'latest.json');
/** Documents that show the latest table between the bench:table markers. */
const PUBLISHED_IN = [path.join(__dirname, '..', 'README.md'), path.join(__dirname, '..', 'docs', 'performance.md')];

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const machine = machineInfo();
  process.stderr.write(
    `notary-gate bench on ${machine.cpuModel} (${machine.cores} cores), node ${machine.node}, load ${machine.loadAverage1m}\n`,
  );
  const missing = [];
  for (const command of ['notary-server', 'notary', 'openssl']) if (!(await hasCommand(command))) missing.push(command);
  if (missing.length > 0) {
    process.stderr.write(`bench needs ${missing.join(', ')} on PATH (Debian: apt-get install notary openssl)\n`);
    process.exitCode = 2;
    return;
  }
  const fixture = await startFixture();
  const buildDir = await mkdtemp(path.join(tmpdir(), 'notary-gate-bench-bundle-'));
  let notation: Awaited<ReturnType<typeof startNotationFixture>> | undefined;
  const stopAll = async () => {
    await notation?.stop();
    await fixture.stop();
  };
  // Ctrl-C must not leave the notary-server behind.
  const onSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const policy = await loadPolicy({ file: fixture.policyFile });
    // The Notation images on the in-process registry, and a policy that verifies them and the Notary repositories.
    notation = await startNotationFixture(fixture.dir);
    const combinedPolicyFile = path.join(fixture.dir, 'policy-with-notation.yaml');
    await writeCombinedPolicy(await readFile(fixture.policyFile, 'utf8'), notation, combinedPolicyFile);
    const combinedPolicy = await loadPolicy({ file: combinedPolicyFile });
    const notationFixture = notation;
    const step = <T>(name: string, work: () => Promise<T>): Promise<T> => {
      process.stderr.write(`  ${name}...\n`);
      return work();
    };
    // BENCH_ONLY=warm,delegations runs only those scenarios (and their prerequisites): a partial table on stdout,
    // neither written to bench/results nor published.
    const only = process.env.BENCH_ONLY?.split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const want = (name: string) => !only || only.includes(name);
    const bundleFile = await step('bundle', () => buildBundle(buildDir));
    const bundle = want('bundle') ? await step('bundle init', () => runBundle(bundleFile)) : undefined;
    const startup = want('startup')
      ? await step('CLI startup (compiled CLI, paired with node -e 0 and notary list)', () => runStartup(fixture))
      : undefined;
    const warm =
      want('warm') || want('serve')
        ? await step('warm admission (bundled Lambda: Notary, Notation and /mutate interleaved)', () =>
            runWarm(fixture, bundleFile, { notation: { fixture: notationFixture, policyFile: combinedPolicyFile } }),
          )
        : undefined;
    const dynamo = want('dynamodb')
      ? await step('DynamoDB path (dynalite)', () => runDynamo(fixture, policy))
      : undefined;
    const cold = want('cold')
      ? await step('cold path (notary-server, token auth)', () => runCold(fixture, policy))
      : undefined;
    const registry = want('registry')
      ? await step('cold registry resolution (in-process registry, Bearer auth)', () => runRegistry(notationFixture))
      : undefined;
    const notationCold = want('notation-cold')
      ? await step('cold Notation verification', () => runNotationCold(notationFixture, combinedPolicy))
      : undefined;
    const envelopeCpu = want('envelope-cpu')
      ? await step('CPU per Notation envelope', () => runEnvelopeCpu())
      : undefined;
    const stampede = want('stampede') ? await step('stampede', () => runStampede(fixture, policy)) : undefined;
    const delegations = want('delegations')
      ? await step('delegations (hostile repository at and past the bound)', () => runDelegations())
      : undefined;
    const serve =
      want('serve') && warm
        ? await step('serve throughput (autocannon)', () => runServe(fixture, { floorSpinMs: warm.latency.p50Ms }))
        : undefined;
    const baseline = want('baseline') ? await step('baseline (seed approach)', () => runBaseline(fixture)) : undefined;

    const scenarios = {
      warm,
      dynamodb: dynamo,
      cold,
      registry,
      notationCold,
      envelopeCpu,
      stampede,
      delegations,
      bundle,
      startup,
      serve,
      baseline,
    };
    const rows = summaryRows(scenarios);

    const durationSeconds = round(elapsedMs(started) / 1000, 1);
    const lines = [
      `notary-gate benchmark, ${new Date().toISOString()}`,
      `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, node ${machine.node}, load average ${machine.loadAverage1m} at start`,
      '',
      formatTable(rows),
      '',
      `${rows.filter((r) => r.met === false).length} target(s) missed; ${durationSeconds} s; ${only ? `partial run (BENCH_ONLY=${only.join(',')}): nothing written` : `JSON: ${path.relative(process.cwd(), RESULTS)}`}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (only) return; // a partial run: nothing written or published
    const results = {
      generatedAt: new Date().toISOString(),
      durationSeconds,
      machine,
      scenarios,
      rows,
    };
    await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    const published = await publishTable(
      PUBLISHED_IN,
      [
        `Run ${results.generatedAt} on ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, node ${machine.node}, load average ${machine.loadAverage1m} at start.`,
        '',
        formatTable(rows),
      ].join('\n'),
    );
    if (published.length > 0) {
      process.stderr.write(
        `table published in ${published.map((file) => path.relative(process.cwd(), file)).join(', ')}\n`,
      );
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
    await rm(buildDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
