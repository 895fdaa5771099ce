/**
 * The bundled Lambda's DynamoDB path: the DynamoDB client is the bundle's own (tree-shaken from the SDK's ES module
 * build, scripts/bundle.mjs), so the cache and the remembered trust state are tested through it, not through the
 * SDK in node_modules. Two cold starts of the bundle (each a fresh node process) share dynalite as the cache table
 * and reach a real notary-server through a connection-counting relay; the repository is trusted on first use, so
 * its root is the state the table guards.
 */
import { rm } from 'node:fs/promises';
import { describeWithNotary } from '../harness/availability';
import { type CountingRelay, countingRelay } from '../harness/counting-relay';
import { type Dynalite, dynaliteEnv, startDynalite } from '../harness/dynalite';
import { buildLambdaTask, type Invocation, inputsOf, invokeLambda, type LambdaTask } from '../harness/lambda-bundle';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';
import { writePolicyFolder } from '../harness/policy-folder';
import { closedPortEndpoint } from '../shared/cache/fake-dynamo';
import { podCreateReview, type ReviewBody, urlEvent } from './events';

const APP = 'registry.example.com/team/bundled';
const SIGNED = `${APP}@sha256:${'b'.repeat(64)}`;
const TABLE = 'bundle-cache';

const response = (answer: Invocation, index = 0) =>
  (JSON.parse(answer.results[index]?.body ?? 'null') as ReviewBody).response;
const admission = (answer: Invocation) => answer.lines.find((line) => line.event === 'admission');

describeWithNotary('the bundled Lambda with a DynamoDB cache table (dynalite) shared by two cold starts', () => {
  let task: LambdaTask;
  let notary: NotaryHarness;
  let db: Dynalite;
  let relay: CountingRelay;
  let policyDir: string;
  let env: Record<string, string>;

  const coldStart = (extra: Record<string, string> = {}) =>
    invokeLambda(task, { ...env, ...extra }, [urlEvent('POST', '/validate', podCreateReview([SIGNED]))]);

  beforeAll(async () => {
    [task, db, notary] = await Promise.all([buildLambdaTask(), startDynalite(), startNotary()]);
    await db.createTable(TABLE);
    await notary.seed(APP, { v1: 'b'.repeat(64) });
    relay = await countingRelay(new URL(notary.url));
    const folder = await writePolicyFolder(notary, [{ gun: APP, server: relay.url, pinRoot: false }], 'ng-bundle-db-');
    policyDir = folder.dir;
    env = { ...task.stagePolicy(folder.policyFile), ...dynaliteEnv(db.endpoint), CACHE_TABLE: TABLE };
  }, 180_000);

  afterAll(async () => {
    await relay?.close();
    await Promise.all([notary?.stop(), db?.stop()]);
    if (policyDir) await rm(policyDir, { recursive: true, force: true });
    task?.remove();
  });

  it('the first cold start verifies against Notary and remembers; the second answers from the table alone', async () => {
    const first = await coldStart();
    expect(response(first)).toMatchObject({ allowed: true });
    expect(admission(first)).toMatchObject({ decision: 'allow' });
    const afterFirst = relay.connections();
    expect(afterFirst).toBeGreaterThan(0);
    // The root learnt on first use and the verdict went in with conditional writes.
    expect(db.requestCount('PutItem')).toBeGreaterThan(0);
    expect(first.externals).toEqual({});
    // The staged policy is JSON as JSON.stringify writes it: read without the YAML parser's chunk.
    expect(inputsOf(task, first.loaded).filter((file) => file.includes('node_modules/yaml/'))).toEqual([]);
    expect(inputsOf(task, first.loaded)).toContain('shared/policy/load.ts');

    db.resetCounts();
    const second = await coldStart();
    expect(response(second)).toMatchObject({ allowed: true });
    expect(relay.connections()).toBe(afterFirst);
    expect(db.requestCount('BatchGetItem')).toBeGreaterThan(0);
  }, 120_000);

  it('with the table unreachable, a cold start denies TRUST_STATE_UNAVAILABLE and never asks Notary', async () => {
    const before = relay.connections();
    const down = await coldStart({ AWS_ENDPOINT_URL_DYNAMODB: await closedPortEndpoint() });
    expect(response(down).allowed).toBe(false);
    expect(response(down).status?.message).toContain('TRUST_STATE_UNAVAILABLE');
    expect(relay.connections()).toBe(before);
  }, 120_000);
});
