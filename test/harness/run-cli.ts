/**
 * Runs the CLI as a user would (`bin/notary-gate.js`, the checkout's bin) in a process of its own, from the
 * repository root, with only PATH and the variables the test gives: nothing of the test's own environment leaks in.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export interface CliResult {
  /** The exit code (a process killed by a signal or the timeout: 1). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin', 'notary-gate.js'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
