import type { Command } from 'commander';

// Placeholder until the owning issue lands: registers the command so that --help lists it.
export function registerImages(program: Command): void {
  program.command('images').description('(not built yet)');
}
