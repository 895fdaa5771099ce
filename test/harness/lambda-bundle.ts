/**
 * The webhook as Lambda runs it, for bundle-level tests: the real build script's output (scripts/bundle.mjs) in a
 * task folder laid out as the CDK code asset is (`index.mjs` and its `chunks/`, and the staged policy in `policy/`
 * as infra/webhook-function.ts copies it), invoked with function URL events in a fresh node process per batch whose
 * environment is only what the test gives plus what Lambda sets. The bundle holds the AWS SDK clients it uses; the
 * task folder has no node_modules above it, so anything the bundle failed to include fails here as it would in
 * Lambda, and invoke-bundle.cjs reports what the bundle loaded from outside itself.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BUNDLED_POLICY_DIR, BUNDLED_POLICY_FILE, stagePolicy } from '../../infra/policy-bundle';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
/** The region Lambda names in AWS_REGION: the function's own, not the signatures' or the registries'. */
export const FUNCTION_REGION = 'eu-west-1';

export interface LambdaTask {
  /** The task folder (LAMBDA_TASK_ROOT): the bundle and, once staged, the policy. */
  readonly root: string;
  /** The handler module, index.mjs. */
  readonly bundle: string;
  /** What scripts/bundle.mjs reported of the build. */
  readonly report: BundleReport;
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
  /** The bundle's own files that were imported (index.mjs and chunks), repository-relative as in the report. */
  readonly loaded: string[];
}

/** scripts/bundle.mjs's report (--report); output and input paths are relative to the repository. */
export interface BundleReport {
  /** Bytes of code in all outputs (source maps aside). */
  readonly bytes: number;
  /** The outputs node loads before the handler's first line runs: index.mjs and its static imports. */
  readonly initOutputs: readonly string[];
  readonly initBytes: number;
  /** esbuild's metafile, the parts the tests read. */
  readonly metafile: {
    readonly outputs: Record<string, { readonly bytes: number; readonly inputs: Record<string, unknown> }>;
  };
}

/** Builds the bundle with the real build script into a new task folder. */
export async function buildLambdaTask(prefix = 'notary-gate-bundle-'): Promise<LambdaTask> {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const reportFile = path.join(root, 'report.json');
  await run(process.execPath, [path.join(ROOT, 'scripts', 'bundle.mjs'), '--outdir', root, '--report', reportFile], {
    cwd: ROOT,
    timeout: 120_000,
  });
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as BundleReport;
  rmSync(reportFile);
  return {
    root,
    bundle: path.join(root, 'index.mjs'),
    report,
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
        ...env,
      },
      timeout: 60_000,
    },
  );
  const { results, externals, loaded } = JSON.parse(readFileSync(resultsFile, 'utf8')) as Omit<Invocation, 'lines'>;
  const lines = `${stdout}\n${stderr}`
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { results, lines, externals, loaded: loaded.map((file) => path.relative(ROOT, file)) };
}

/** The source files (repository-relative, node_modules included) whose code is in the given outputs. */
export function inputsOf(task: LambdaTask, outputs: readonly string[]): string[] {
  return outputs.flatMap((output) => Object.keys(task.report.metafile.outputs[output]?.inputs ?? {}));
}
