import picomatch from 'picomatch';
import type { Policy, Rule } from './types';

/**
 * The rule for an image: the first rule with a glob matching the normalized name (`docker.io/library/nginx`).
 * `*` stays within one path segment, `**` spans segments. Matching ignores case: only the registry part of a
 * normalized name can hold upper case, and registry host names are case-insensitive, so `EVIL.example.com/x` must
 * not escape a rule written for `evil.example.com/**`.
 */

type Matcher = (name: string) => boolean;

/** Compiled once per rule object (policies are built once per cold start). */
const compiled = new WeakMap<Rule, Matcher>();

export function findRule(policy: Policy, name: string): Rule | undefined {
  return policy.rules.find((rule) => matcherFor(rule)(name));
}

function matcherFor(rule: Rule): Matcher {
  let matcher = compiled.get(rule);
  if (!matcher) {
    matcher = picomatch([...rule.match], { dot: true, nocase: true });
    compiled.set(rule, matcher);
  }
  return matcher;
}
