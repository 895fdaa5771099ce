import { describeError } from '../shared/describe-error';
import { NotaryGateError } from '../shared/errors';
import { describeAwsError } from './aws-errors';

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
    // A NotaryGateError already says where the AWS call was made (e.g. which rule's secret) and carries the SDK's
    // error name in its text; replacing it with the generic sentence would lose the rule it names.
    const aws = error instanceof NotaryGateError ? undefined : describeAwsError(error);
    const message = aws ?? describeError(error);
    const code = error instanceof NotaryGateError ? `${error.code}: ` : '';
    process.stderr.write(`notary-gate: ${code}${message}${aws && !debug ? ' (--debug shows the AWS error)' : ''}\n`);
    if (debug && error instanceof Error)
      process.stderr.write(`${error.name}: ${error.message}\n${error.stack ?? ''}\n`);
    process.exitCode = EXIT.usage;
  }
}
