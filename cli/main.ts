import { Command } from 'commander';
import { version } from '../package.json';
import { COMMANDS, commandsToLoad } from './command-loader';
import { EXIT } from './exit';
import { oneLineUsageErrors } from './usage-errors';

/**
 * `notary-gate`: each command lives in cli/commands/<name>.ts and registers itself, loaded only when the run needs
 * it (./command-loader.ts); heavy modules (AWS SDK, the Notary client) are imported inside the actions, so that
 * `images` and `check` start fast. (The installed bin answers `--help` and `--version` without this: launcher.ts.)
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

async function main(): Promise<void> {
  const registers = await Promise.all(commandsToLoad(process.argv.slice(2)).map((name) => COMMANDS[name]()));
  for (const register of registers) register(program);
  oneLineUsageErrors(program);
  await program.parseAsync(process.argv);
}

void main();
