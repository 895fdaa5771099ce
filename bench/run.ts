/**
 * `npm run bench`: the published benchmark (docs/performance.md). Starts a real notary-server with token auth
 * (test harness), publishes three signed repositories with the real `notary` client, builds the Lambda bundle with
 * the project's script, runs each scenario in turn, prints a table with each target, and writes the numbers to
 * bench/results/latest.json. Not part of `npm test`; takes about a minute.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPolicy } from '../shared/policy/load';
import { buildBundle } from './lib/bundle';
import { startFixture } from './lib/fixture';
import { machineInfo } from './lib/machine';
import { formatTable, ms, type Row, row } from './lib/report';
import { elapsedMs, round } from './lib/stats';
import { runBaseline } from './scenarios/baseline';
import { runBundle } from './scenarios/bundle';
import { runCold } from './scenarios/cold';
import { runDynamo } from './scenarios/dynamodb';
import { runServe } from './scenarios/serve';
import { runStampede } from './scenarios/stampede';
import { runWarm } from './scenarios/warm';

const RESULTS = path.join(__dirname, 'results', 'latest.json');

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const machine = machineInfo();
  process.stderr.write(
    `notary-gate bench on ${machine.cpuModel} (${machine.cores} cores), node ${machine.node}, load ${machine.loadAverage1m}\n`,
  );
  const fixture = await startFixture();
  const buildDir = await mkdtemp(path.join(tmpdir(), 'notary-gate-bench-bundle-'));
  try {
    const policy = await loadPolicy({ file: fixture.policyFile });
    const step = <T>(name: string, work: () => Promise<T>): Promise<T> => {
      process.stderr.write(`  ${name}...\n`);
      return work();
    };
    const bundleFile = await step('bundle', () => buildBundle(buildDir));
    const bundle = await step('bundle init', () => runBundle(bundleFile));
    const warm = await step('warm admission (bundled Lambda)', () => runWarm(fixture, bundleFile));
    const dynamo = await step('DynamoDB path (dynalite)', () => runDynamo(fixture, policy));
    const cold = await step('cold path (notary-server, token auth)', () => runCold(fixture, policy));
    const stampede = await step('stampede', () => runStampede(fixture, policy));
    const serve = await step('serve throughput (autocannon)', () => runServe(fixture));
    const baseline = await step('baseline (seed approach)', () => runBaseline(fixture));

    const ratio = (value: number) => round(value, 1);
    const ratios = {
      baselineP50OverWarmP50: ratio(baseline.latency.p50Ms / warm.latency.p50Ms),
      baselineP50OverColdPodP50: ratio(baseline.latency.p50Ms / cold.pod.latency.p50Ms),
    };
    const coldTargetWaves = 3; // the token challenge, the token, one wave of roles (plus one per delegation level)
    const rows: Row[] = [
      row(
        'warm admission',
        `p50 (bundled Lambda, ${warm.images} images, n=${warm.iterations})`,
        ms(warm.latency.p50Ms),
      ),
      row('warm admission', 'p99', ms(warm.latency.p99Ms), '<= 1 ms', warm.latency.p99Ms <= 1),
      row('warm admission', 'all admitted', String(warm.allAdmitted), 'true', warm.allAdmitted),
      row(
        'DynamoDB path',
        'round trips per admission',
        `${dynamo.roundTripsPerAdmission} (${Object.entries(dynamo.requestsByOperation)
          .map(([op, n]) => `${op} ${n}`)
          .join(', ')})`,
        '1',
        dynamo.roundTripsPerAdmission === 1,
      ),
      row(
        'DynamoDB path',
        `p50 / p99 (n=${dynamo.iterations})`,
        `${ms(dynamo.latency.p50Ms)} / ${ms(dynamo.latency.p99Ms)}`,
      ),
      row(
        'DynamoDB path',
        'answered from',
        JSON.stringify(dynamo.sources),
        'dynamodb only',
        Object.keys(dynamo.sources).join() === 'dynamodb',
      ),
      row(
        'cold path',
        'requests per repository',
        `${cold.perRepository.requests} (token ${cold.perRepository.tokenRequests}, 401 ${cold.perRepository.challenges})`,
        'token once',
        cold.perRepository.tokenRequests === 1,
      ),
      row(
        'cold path',
        'waves per repository',
        `${cold.perRepository.waves}: ${cold.perRepository.sequence}`,
        `${coldTargetWaves}`,
        cold.perRepository.waves <= coldTargetWaves,
      ),
      row(
        'cold path',
        `time per repository p50 / p99 (n=${cold.iterations})`,
        `${ms(cold.perRepository.latency.p50Ms)} / ${ms(cold.perRepository.latency.p99Ms)}`,
        '<= 100 ms',
        cold.perRepository.latency.p99Ms <= 100,
      ),
      row(
        'cold path',
        `Pod of ${cold.pod.repositories} repositories p50 / p99`,
        `${ms(cold.pod.latency.p50Ms)} / ${ms(cold.pod.latency.p99Ms)}`,
      ),
      row(
        'stampede',
        `Notary fetches for ${stampede.concurrent} concurrent admissions`,
        `${stampede.repositoryFetches} (${stampede.notaryRequests} requests)`,
        '1',
        stampede.repositoryFetches === 1,
      ),
      row(
        'stampede',
        'answered / admitted',
        `${stampede.answered} / ${stampede.admitted}`,
        `${stampede.concurrent} / ${stampede.concurrent}`,
        stampede.answered === stampede.concurrent && stampede.admitted === stampede.concurrent,
      ),
      row('stampede', 'all answered after', ms(stampede.wallMs)),
      row('bundle', 'size of index.js', `${bundle.kib} KiB`, '<= 500 KiB', bundle.kib <= 500),
      row(
        'bundle',
        `module init, median of ${bundle.initMs.runs.length}`,
        ms(bundle.initMs.median),
        '<= 150 ms',
        bundle.initMs.median <= 150,
      ),
      row(
        'serve',
        `admissions/s (${serve.connections} connections, ${serve.durationSeconds} s, 1 process)`,
        String(serve.requestsPerSecond),
        '>= 2000',
        serve.requestsPerSecond >= 2000,
      ),
      row('serve', 'p99', ms(serve.p99Ms), '<= 10 ms', serve.p99Ms <= 10),
      row(
        'serve',
        'non-2xx / errors / timeouts',
        `${serve.non2xx} / ${serve.errors} / ${serve.timeouts}`,
        '0 / 0 / 0',
        serve.non2xx + serve.errors + serve.timeouts === 0 && serve.firstAllowed,
      ),
      row(
        'baseline (seed)',
        `p50 / p99 (${baseline.requestsPerAdmission} requests per admission)`,
        `${ms(baseline.latency.p50Ms)} / ${ms(baseline.latency.p99Ms)}`,
      ),
      row('baseline (seed)', 'baseline p50 / warm p50', `${ratios.baselineP50OverWarmP50}x`),
      row('baseline (seed)', 'baseline p50 / cold Pod p50', `${ratios.baselineP50OverColdPodP50}x`),
    ];

    const durationSeconds = round(elapsedMs(started) / 1000, 1);
    const lines = [
      `notary-gate benchmark, ${new Date().toISOString()}`,
      `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, node ${machine.node}, load average ${machine.loadAverage1m} at start`,
      '',
      formatTable(rows),
      '',
      `${rows.filter((r) => r.met === false).length} target(s) missed; ${durationSeconds} s; JSON: ${path.relative(process.cwd(), RESULTS)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const results = {
      generatedAt: new Date().toISOString(),
      durationSeconds,
      machine,
      scenarios: { warm, dynamodb: dynamo, cold, stampede, bundle, serve, baseline, ratios },
      rows,
    };
    await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await fixture.stop();
    await rm(buildDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
