/**
 * The "done when": a second `notary-gate check --cache-table T` process verifies a cached image with zero
 * Notary requests. Two real CLI processes, a real notary-server behind a connection-counting TCP relay, and
 * dynalite (in this process) as the shared table.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describeWithNotary } from '../harness/availability';
import { type CountingRelay, countingRelay } from '../harness/counting-relay';
import { type Dynalite, dynaliteEnv, startDynalite } from '../harness/dynalite';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';
import { writePolicyFolder } from '../harness/policy-folder';
import { closedPortEndpoint } from '../shared/cache/fake-dynamo';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'bin/notary-gate.js');
const APP = 'registry.example.com/team/app';
const SIGNED = `${APP}@sha256:${'a'.repeat(64)}`;
const TABLE = 'two-process-cache';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describeWithNotary('two notary-gate processes sharing a DynamoDB cache table', () => {
  let notary: NotaryHarness;
  let db: Dynalite;
  let relay: CountingRelay;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await startDynalite();
    await db.createTable(TABLE);
    notary = await startNotary();
    await notary.seed(APP, { v1: 'a'.repeat(64) });
    relay = await countingRelay(new URL(notary.url));
    ({ dir } = await writePolicyFolder(
      notary,
      [{ gun: APP, server: relay.url, pinRoot: false }],
      'notary-gate-two-process-',
    ));
    const { CACHE_TABLE: _ignored, POLICY: _p, POLICY_FILE: _pf, ...inherited } = process.env;
    env = { ...inherited, ...dynaliteEnv(db.endpoint) };
  }, 120_000);
  afterAll(async () => {
    await relay?.close();
    await notary?.stop();
    await db?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the second process verifies the cached image without a single Notary request', async () => {
    const args = ['check', '--json', '--policy', path.join(dir, 'policy.yaml'), '--cache-table', TABLE, '--', SIGNED];

    const first = await runCli(args, env);
    expect(first.stderr).not.toMatch(/CacheStoreErrors|cache read failed|cache write failed/);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ allowed: true, images: [{ code: 'SIGNED' }] });
    const afterFirst = relay.connections();
    expect(afterFirst).toBeGreaterThan(0);

    db.resetCounts();
    const second = await runCli(args, env);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ allowed: true, images: [{ code: 'SIGNED' }] });
    expect(relay.connections()).toBe(afterFirst);
    expect(db.requestCount('BatchGetItem')).toBe(1);
  }, 120_000);

  it('with the table unreachable, a process denies the image (TRUST_STATE_UNAVAILABLE) rather than trust on first use', async () => {
    const args = ['check', '--json', '--policy', path.join(dir, 'policy.yaml'), '--cache-table', TABLE, '--', SIGNED];
    const before = relay.connections();
    const down = await runCli(args, { ...env, AWS_ENDPOINT_URL_DYNAMODB: await closedPortEndpoint() });
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stdout)).toMatchObject({
      allowed: false,
      images: [{ allowed: false, code: 'TRUST_STATE_UNAVAILABLE' }],
    });
    expect(relay.connections()).toBe(before); // Notary was not even asked
  }, 120_000);
});
