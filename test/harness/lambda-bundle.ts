/**
 * The webhook as Lambda runs it, for bundle-level tests: the real build script's output (scripts/bundle.mjs) in a
 * task folder laid out as the CDK code asset is (`index.js`, and the staged policy in `policy/` as
 * infra/webhook-function.ts copies it), invoked with function URL events in a fresh node process per batch whose
 * environment is only what the test gives plus what Lambda sets. The AWS SDK comes from NODE_PATH, as the Lambda
 * runtime provides it (the bundle leaves `@aws-sdk/*` external); invoke-bundle.cjs reports what the bundle loaded.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BUNDLED_POLICY_DIR, BUNDLED_POLICY_FILE, stagePolicy } from '../../infra/policy-bundle';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
/** Where the Lambda runtime's SDK stands in: the project's own node_modules (real path, as require.cache has it). */
export const RUNTIME_NODE_MODULES = realpathSync(path.join(ROOT, 'node_modules'));
/** The region Lambda names in AWS_REGION: the function's own, not the signatures' or the registries'. */
export const FUNCTION_REGION = 'eu-west-1';

export interface LambdaTask {
  /** The task folder (LAMBDA_TASK_ROOT): the bundle and, once staged, the policy. */
  readonly root: string;
  readonly bundle: string;
  /** Copies the policy file and what it names into `policy/`, as the CDK asset holds it; returns its env. */
  stagePolicy(policyFile: string): Record<string, string>;
  remove(): void;
}

export interface Invocation {
  readonly results: APIGatewayProxyStructuredResultV2[];
  /** JSON lines of stdout and stderr: Powertools logs, EMF metrics (Lambda collects both into the log group). */
  readonly lines: Record<string, unknown>[];
  /** Packages the bundle loaded from outside itself (require or import): specifier -> resolved file. */
  readonly externals: Record<string, string>;
}

/** Builds the bundle with the real build script into a new task folder. */
export async function buildLambdaTask(prefix = 'notary-gate-bundle-'): Promise<LambdaTask> {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  await run(process.execPath, [path.join(ROOT, 'scripts', 'bundle.mjs'), '--outdir', root], {
    cwd: ROOT,
    timeout: 120_000,
  });
  return {
    root,
    bundle: path.join(root, 'index.js'),
    stagePolicy: (policyFile) => {
      const staged = stagePolicy(policyFile);
      cpSync(staged.dir, path.join(root, BUNDLED_POLICY_DIR), { recursive: true });
      rmSync(staged.dir, { recursive: true, force: true });
      return { POLICY_FILE: path.join(root, BUNDLED_POLICY_DIR, BUNDLED_POLICY_FILE) };
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Invokes the bundle in a fresh node process (a cold start) with `env`, one event after the other. */
export async function invokeLambda(
  task: LambdaTask,
  env: Record<string, string>,
  events: APIGatewayProxyEventV2[],
): Promise<Invocation> {
  const eventsFile = path.join(task.root, `events-${Math.random().toString(36).slice(2)}.json`);
  const resultsFile = `${eventsFile}.results`;
  writeFileSync(eventsFile, JSON.stringify(events));
  const { stdout, stderr } = await run(
    process.execPath,
    [path.join(__dirname, '..', 'functions', 'invoke-bundle.cjs'), task.bundle, eventsFile, resultsFile],
    {
      cwd: task.root,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: FUNCTION_REGION,
        LAMBDA_TASK_ROOT: task.root,
        NODE_PATH: RUNTIME_NODE_MODULES,
        ...env,
      },
      timeout: 60_000,
    },
  );
  const { results, externals } = JSON.parse(readFileSync(resultsFile, 'utf8')) as Omit<Invocation, 'lines'>;
  const lines = `${stdout}\n${stderr}`
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { results, lines, externals };
}
