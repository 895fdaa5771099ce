import type { Command } from 'commander';

/**
 * Usage errors as the contract wants them: one line naming the problem and the `--help` to read, instead of
 * commander's default (the message, then the whole help text when showHelpAfterError is on). Applied to the
 * program and to every command after they are registered, so each names its own help.
 */
export function oneLineUsageErrors(program: Command): void {
  for (const command of [program, ...program.commands]) {
    const name = command === program ? program.name() : `${program.name()} ${command.name()}`;
    command.showHelpAfterError(false);
    command.configureOutput({
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`${usageLine(name, text)}\n`),
    });
  }
}

/** `error: unknown option '--x'\n(Did you mean --y?)` -> `notary-gate check: unknown option '--x' (Did you mean --y?); see notary-gate check --help` */
export function usageLine(commandName: string, commanderMessage: string): string {
  const problem = commanderMessage
    .replace(/^error: /, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
  return `${commandName}: ${problem}; see ${commandName} --help`;
}
