import type { Command } from 'commander';

// Placeholder until the owning issue lands: registers the command so that --help lists it.
export function registerWebhookConfig(program: Command): void {
  program.command('webhook-config').description('(not built yet)');
}
