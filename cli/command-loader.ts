import type { Command } from 'commander';

/**
 * The commands, in the order the help lists them, each loaded on demand: in the compiled CLI a command's modules
 * are evaluated (and compiled) only when it runs (scripts/bundle-cli.mjs), and a run that names a command loads
 * only that one. Anything
 * else (no command, an unknown one, `help`, global options first, `completion`, which lists them all) loads all.
 */
export const COMMANDS = {
  check: () => import('./commands/check').then((m) => m.registerCheck),
  images: () => import('./commands/images').then((m) => m.registerImages),
  inspect: () => import('./commands/inspect').then((m) => m.registerInspect),
  lint: () => import('./commands/lint').then((m) => m.registerLint),
  review: () => import('./commands/review').then((m) => m.registerReview),
  serve: () => import('./commands/serve').then((m) => m.registerServe),
  'webhook-config': () => import('./commands/webhook-config').then((m) => m.registerWebhookConfig),
  decisions: () => import('./commands/decisions').then((m) => m.registerDecisions),
  completion: () => import('./commands/completion').then((m) => m.registerCompletion),
} satisfies Record<string, () => Promise<(program: Command) => void>>;

type CommandName = keyof typeof COMMANDS;

/** The commands this run needs: the one named first, or all of them. */
export function commandsToLoad(args: readonly string[]): CommandName[] {
  const all = Object.keys(COMMANDS) as CommandName[];
  const named = args[0];
  if (named === undefined || named === 'completion' || !Object.hasOwn(COMMANDS, named)) return all;
  return [named as CommandName];
}
