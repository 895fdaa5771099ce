import { Command } from 'commander';
import { version } from '../package.json';
import { registerCheck } from './commands/check';
import { registerCompletion } from './commands/completion';
import { registerDecisions } from './commands/decisions';
import { registerImages } from './commands/images';
import { registerInspect } from './commands/inspect';
import { registerLint } from './commands/lint';
import { registerReview } from './commands/review';
import { registerServe } from './commands/serve';
import { registerWebhookConfig } from './commands/webhook-config';
import { EXIT } from './exit';
import { oneLineUsageErrors } from './usage-errors';

/**
 * `notary-gate`: each command lives in cli/commands/<name>.ts and registers itself; heavy modules (AWS SDK,
 * the Notary client) are imported inside the actions so that `--help` and `images` start fast.
 */
const program = new Command('notary-gate')
  .description('Admit only container images whose digests are signed (Notary v1 / Docker Content Trust).')
  .version(version, '-V, --version', 'print the version')
  .option('--debug', 'print stack traces on errors')
  // commander's own usage errors (unknown option, missing argument) exit with 2 as the contract says.
  .exitOverride((error) => {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') process.exit(EXIT.ok);
    process.exit(EXIT.usage);
  });

for (const register of [
  registerCheck,
  registerImages,
  registerInspect,
  registerLint,
  registerReview,
  registerServe,
  registerWebhookConfig,
  registerDecisions,
  registerCompletion,
]) {
  register(program);
}
oneLineUsageErrors(program);

program.parseAsync(process.argv);
