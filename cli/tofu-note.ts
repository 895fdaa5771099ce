import { ENV } from '../shared/constants';
import { findRule } from '../shared/policy/match';
import type { Policy } from '../shared/policy/types';

/**
 * Trust on first use (a `notary` rule without `rootKeys`) protects by remembering the first root seen and checking
 * every later root against it. A one-shot `check` without a cache table remembers nothing past its own run, so
 * each run trusts whatever root the server presents: a replaced root passes. Said once per run, on stderr (stdout
 * holds only the result, `--output json` included), naming the rules and a few of the repositories concerned.
 */

/** Repositories named in the note; the rest are counted. */
const NAMES_SHOWN = 3;

export function trustOnFirstUseNote(
  policy: Policy,
  names: Iterable<string | null>,
  options: { readonly cacheTable?: string; readonly env?: NodeJS.ProcessEnv },
): string | undefined {
  if (options.cacheTable || (options.env ?? process.env)[ENV.cacheTable]) return undefined;
  const rules = new Set<number>();
  const repositories = new Set<string>();
  for (const name of names) {
    if (name === null) continue;
    const rule = findRule(policy, name);
    if (rule?.action !== 'verify' || rule.notary === undefined || rule.notary.rootKeys.length > 0) continue;
    rules.add(policy.rules.indexOf(rule));
    repositories.add(name);
  }
  if (repositories.size === 0) return undefined;
  const shown = [...repositories].slice(0, NAMES_SHOWN);
  const more = repositories.size - shown.length;
  const fields = [...rules].map((index) => `rules[${index}].notary`).join(', ');
  return (
    `notary-gate: note: ${fields} trust${rules.size === 1 ? 's' : ''} the root on first use, which a one-shot ` +
    'check without --cache-table cannot do: nothing is remembered between runs, so every run trusts whatever ' +
    `root the server presents for ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''} (a replaced root ` +
    'passes too); pin the root with rootKeys, or pass --cache-table to check roots against those seen before\n'
  );
}
