import { describeError } from '../shared/describe-error';
import { NotaryGateError } from '../shared/errors';

/** Exit codes of the contract: 0 all allowed, 1 at least one denial, 2 usage, config or input error. */
export const EXIT = { ok: 0, denied: 1, usage: 2 } as const;

/**
 * Runs a command body and turns errors into one clear line on stderr and exit code 2 (a stack trace only with
 * --debug). The body returns the exit code.
 */
export async function runCommand(body: () => Promise<number>, debug = process.argv.includes('--debug')): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (error) {
    const message = describeError(error);
    const code = error instanceof NotaryGateError ? `${error.code}: ` : '';
    process.stderr.write(`notary-gate: ${code}${message}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = EXIT.usage;
  }
}
