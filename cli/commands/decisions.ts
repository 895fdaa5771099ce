import type { Command } from 'commander';

// Placeholder until the owning issue lands: registers the command so that --help lists it.
export function registerDecisions(program: Command): void {
  program.command('decisions').description('(not built yet)');
}
