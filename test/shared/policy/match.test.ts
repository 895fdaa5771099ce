import { findRule } from '../../../shared/policy/match';
import type { Policy, Rule } from '../../../shared/policy/types';

function rule(match: string[], action: Rule['action'] = 'allow'): Rule {
  return { match, action, requireDigest: true, mode: undefined, notary: undefined };
}

function policyOf(...rules: Rule[]): Policy {
  return {
    mode: 'enforce',
    defaultAction: 'deny',
    rules,
    exemptNamespaces: [],
    skipUnchangedImages: false,
    cache: { freshTtlSeconds: 300, maxStaleSeconds: 3600 },
  };
}

describe('findRule', () => {
  const team = rule(['registry.example.com/team/*']);
  const org = rule(['docker.io/myorg/**', 'ghcr.io/myorg/**']);
  const hub = rule(['docker.io/**'], 'deny');
  const policy = policyOf(team, org, hub);

  it.each([
    ['registry.example.com/team/api', team],
    ['docker.io/myorg/api', org],
    ['docker.io/myorg/group/api', org],
    ['ghcr.io/myorg/api', org],
    ['docker.io/library/nginx', hub],
    ['registry.example.com/team/group/api', undefined],
    ['registry.example.com/other', undefined],
    ['quay.io/myorg/api', undefined],
  ])('picks the first matching rule for %s', (name, expected) => {
    expect(findRule(policy, name)).toBe(expected);
  });

  it('keeps "*" within one path segment', () => {
    expect(findRule(policyOf(rule(['*/library/*'])), 'docker.io/library/nginx')).toBeDefined();
    expect(findRule(policyOf(rule(['*/nginx'])), 'docker.io/library/nginx')).toBeUndefined();
  });

  it('matches registries with ports', () => {
    expect(findRule(policyOf(rule(['localhost:5000/**'])), 'localhost:5000/a/b')).toBeDefined();
  });

  it('ignores the case of the registry, so upper case cannot escape a rule', () => {
    const deny = rule(['evil.example.com/**'], 'deny');
    expect(findRule(policyOf(deny), 'EVIL.Example.com/miner')).toBe(deny);
  });

  it('finds nothing in a policy without rules', () => {
    expect(findRule(policyOf(), 'docker.io/library/nginx')).toBeUndefined();
  });
});
