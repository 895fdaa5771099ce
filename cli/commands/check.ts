import type { Command } from 'commander';

// Placeholder until the owning issue lands: registers the command so that --help lists it.
export function registerCheck(program: Command): void {
  program.command('check').description('(not built yet)');
}
