import type { Command } from 'commander';

// Placeholder until the owning issue lands: registers the command so that --help lists it.
export function registerServe(program: Command): void {
  program.command('serve').description('(not built yet)');
}
