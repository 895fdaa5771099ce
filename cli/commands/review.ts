import type { Command } from 'commander';

// Placeholder until the owning issue lands: registers the command so that --help lists it.
export function registerReview(program: Command): void {
  program.command('review').description('(not built yet)');
}
