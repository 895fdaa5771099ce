import { parseReference } from '../image/reference';
import type { Policy } from './types';

/**
 * Warnings about a policy that loads: things that are valid but almost certainly not what the author meant. Pure
 * (a loaded policy in, warnings out); `notary-gate lint` prints them. Errors are the loader's (shared/policy/load.ts).
 */

export type PolicyWarningCode =
  | 'MATCH_NEVER_MATCHES'
  | 'TRUST_ON_FIRST_USE'
  | 'DELEGATIONS_EXCLUDE_TARGETS'
  | 'TRUST_STORE_UNUSED';

export interface PolicyWarning {
  readonly code: PolicyWarningCode;
  /** The field, as load errors name it: `rules[0].match[1]`. */
  readonly field: string;
  readonly message: string;
  /** For MATCH_NEVER_MATCHES, the glob written against the normalized name, when one can be computed. */
  readonly suggestion?: string;
}

/** The role Notary v1 signs in when no delegation is used (`notary sign` without `--roles`). */
const TARGETS_ROLE = 'targets';

/** picomatch syntax: a run of these in a glob stands for some name characters. */
const GLOB_SYNTAX = /[*?[\]{}()!+@,|\\]+/g;
const HAS_GLOB_SYNTAX = /[*?[\]{}()!+@,|\\]/;
/** Stands for glob syntax when the glob is normalized as a name: a valid path component and host label. */
const PLACEHOLDER = 'x';

export function lintPolicy(policy: Policy): PolicyWarning[] {
  const warnings: PolicyWarning[] = [];
  policy.rules.forEach((rule, index) => {
    rule.match.forEach((glob, position) => {
      const warning = neverMatches(glob, `rules[${index}].match[${position}]`);
      if (warning) warnings.push(warning);
    });
    const notary = rule.notary;
    if (notary === undefined || rule.action !== 'verify') return;
    if (notary.rootKeys.length === 0) {
      warnings.push({
        code: 'TRUST_ON_FIRST_USE',
        field: `rules[${index}].notary.rootKeys`,
        message:
          'no pinned root keys: the first root the server presents is trusted (trust on first use), and it is ' +
          'remembered only with a cache table; pin the root with rootKeys (notary key list, or the root.json key)',
      });
    }
    if (notary.delegations !== undefined && !notary.delegations.includes(TARGETS_ROLE)) {
      warnings.push({
        code: 'DELEGATIONS_EXCLUDE_TARGETS',
        field: `rules[${index}].notary.delegations`,
        message:
          `only ${notary.delegations.join(', ')} count: digests signed directly in ${TARGETS_ROLE} (notary sign ` +
          `without --roles, docker trust sign by a repository owner) are denied NOT_SIGNED; add ${TARGETS_ROLE} ` +
          'if that is not intended',
      });
    }
  });
  warnings.push(...unusedTrustStores(policy));
  return warnings;
}

/**
 * Notation trust stores that no statement of any rule's trust policy names in `trustStores`: their certificates
 * can never make a signature trusted (usually a typo in the statement, or a store copied into the wrong folder).
 * Across rules, because two rules may share one store folder with a statement each.
 */
function unusedTrustStores(policy: Policy): PolicyWarning[] {
  const named = new Set<string>();
  for (const rule of policy.rules) {
    for (const statement of rule.notation?.trustPolicy.trustPolicies ?? []) {
      for (const ref of statement.trustStores) named.add(`${ref.type}:${ref.name}`);
    }
  }
  const warnings: PolicyWarning[] = [];
  const reported = new Set<string>();
  policy.rules.forEach((rule, index) => {
    for (const store of rule.notation?.ownStores ?? []) {
      if (named.has(store) || reported.has(store)) continue;
      reported.add(store);
      warnings.push({
        code: 'TRUST_STORE_UNUSED',
        field: `rules[${index}].notation.trustStore`,
        message:
          `trust store ${store} is not named by any trust policy statement's trustStores: its certificates ` +
          `never verify a signature; add "${store}" to the statement meant to use it, or remove the store`,
      });
    }
  });
  return warnings;
}

/**
 * A warning when `glob` can never match a normalized name: names always start with a registry (`docker.io/...`),
 * single Docker Hub names live under `library/`, `index.docker.io` is `docker.io`, and tags or digests are not part
 * of a name. The normalized form comes from the same parser admission uses (shared/image/reference.ts), applied to
 * the glob with its glob syntax replaced by a placeholder. Globs whose registry part is itself a pattern are left
 * alone: they may match.
 */
export function neverMatches(glob: string, field: string): PolicyWarning | undefined {
  const slash = glob.indexOf('/');
  const first = slash === -1 ? glob : glob.slice(0, slash);
  // The registry part is itself a pattern (`*/nginx`, `**`): it may match.
  if (slash === -1 ? glob.includes('**') : HAS_GLOB_SYNTAX.test(first)) return undefined;
  const lastSegment = glob.slice(glob.lastIndexOf('/') + 1);
  if (/@[A-Za-z][A-Za-z0-9]*:/.test(glob) || lastSegment.includes(':')) {
    const name = suggestionFor(glob.replace(/@.*$/, '').replace(/:[^/]*$/, ''));
    return {
      code: 'MATCH_NEVER_MATCHES',
      field,
      message: `${glob} names a tag or digest: globs match the normalized repository name only${name ? `; write ${name}` : ''}`,
      ...(name !== undefined && { suggestion: name }),
    };
  }
  const suggestion = suggestionFor(glob);
  if (suggestion === undefined || suggestion.toLowerCase() === glob.toLowerCase()) return undefined;
  const example = HAS_GLOB_SYNTAX.test(glob)
    ? 'e.g. nginx is matched as docker.io/library/nginx'
    : `${glob} is matched as ${suggestion}`;
  return {
    code: 'MATCH_NEVER_MATCHES',
    field,
    message: `${glob} can never match: globs match the normalized name (${example}); write ${suggestion}`,
    suggestion,
  };
}

/** The glob with the registry and `library/` that normalization would add, or undefined when it does not parse. */
function suggestionFor(glob: string): string | undefined {
  const slash = glob.indexOf('/');
  const literalPath = isDomain(slash === -1 ? glob : glob.slice(0, slash), slash) ? glob.slice(slash + 1) : glob;
  const probePath = literalPath.replace(GLOB_SYNTAX, PLACEHOLDER);
  try {
    const parsed = parseReference(glob.replace(GLOB_SYNTAX, PLACEHOLDER));
    // `**` spans segments, so it already covers `library/`: only the registry is missing.
    if (literalPath.includes('**')) return `${parsed.domain}/${literalPath}`;
    if (!parsed.path.endsWith(probePath)) return undefined;
    return `${parsed.domain}/${parsed.path.slice(0, parsed.path.length - probePath.length)}${literalPath}`;
  } catch {
    return undefined;
  }
}

/** docker's rule: the first element is a registry when a path follows and it has `.` or `:`, is localhost, or upper case. */
function isDomain(first: string, slash: number): boolean {
  return (
    slash !== -1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())
  );
}
