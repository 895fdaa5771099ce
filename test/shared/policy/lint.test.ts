import { readFileSync } from 'node:fs';
import { lintPolicy, neverMatches } from '../../../shared/policy/lint';
import { loadPolicy } from '../../../shared/policy/load';

const ROOT_KEYS = 'rootKeys: ["./policy-keys/root.crt"]';
const EXAMPLES = `${__dirname}/../../../examples`;

async function warningsOf(text: string) {
  return lintPolicy(await loadPolicy({ text, baseDir: EXAMPLES, validateOnly: true }));
}

describe('neverMatches (a match glob against normalized names)', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['library/nginx', 'docker.io/library/nginx'],
    ['docker.io/nginx', 'docker.io/library/nginx'],
    ['index.docker.io/library/nginx', 'docker.io/library/nginx'],
    ['index.docker.io/**', 'docker.io/**'],
    ['myorg/*', 'docker.io/myorg/*'],
    ['myorg/**', 'docker.io/myorg/**'],
    ['nginx*', 'docker.io/library/nginx*'],
    ['docker.io/*', 'docker.io/library/*'],
    ['nginx:1.25', 'docker.io/library/nginx'],
    ['docker.io/library/nginx:*', 'docker.io/library/nginx'],
    [`ghcr.io/acme/api@sha256:${'a'.repeat(64)}`, 'ghcr.io/acme/api'],
  ])('warns about %s and suggests %s', (glob, suggestion) => {
    const warning = neverMatches(glob, 'rules[0].match[0]');
    expect(warning).toMatchObject({ code: 'MATCH_NEVER_MATCHES', field: 'rules[0].match[0]', suggestion });
    expect(warning?.message).toContain(suggestion);
  });

  it.each([
    'docker.io/library/nginx',
    'docker.io/**',
    'docker.io/library/*',
    '**',
    '*/nginx',
    'registry.example.com/team/*',
    'REGISTRY.example.com/team/*',
    'localhost/app',
    'localhost:5000/app',
    '123456789012.dkr.ecr.*.amazonaws.com/**',
    '\\[::1\\]:5000/**',
    'ghcr.io/{acme,other}/**',
  ])('accepts %s, which can match', (glob) => {
    expect(neverMatches(glob, 'f')).toBeUndefined();
  });
});

describe('lintPolicy', () => {
  it('is silent about a policy without mistakes', async () => {
    const text = `rules:
  - match: "docker.io/myorg/**"
    notary: { server: https://notary.example.com, ${ROOT_KEYS}, delegations: [targets/releases, targets] }
  - match: ["registry.k8s.io/**"]
    action: allow`;
    expect(await warningsOf(text)).toEqual([]);
  });

  it('names the glob by its position in the rule', async () => {
    const text =
      'rules:\n  - { match: [ "ghcr.io/**", "nginx" ], action: allow }\n  - { match: busybox, action: deny }';
    expect((await warningsOf(text)).map((warning) => [warning.field, warning.suggestion])).toEqual([
      ['rules[0].match[1]', 'docker.io/library/nginx'],
      ['rules[1].match[0]', 'docker.io/library/busybox'],
    ]);
  });

  it('warns about trust on first use when notary has no rootKeys', async () => {
    const warnings = await warningsOf('rules: [{ match: "ghcr.io/**", notary: { server: "https://n.example" } }]');
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'TRUST_ON_FIRST_USE', field: 'rules[0].notary.rootKeys' }),
    ]);
    expect(warnings[0]?.message).toMatch(/trust on first use/);
  });

  it('warns when delegations exclude targets, and not when they include it or are absent', async () => {
    const rule = (delegations: string) =>
      `rules: [{ match: "ghcr.io/**", notary: { server: "https://n.example", ${ROOT_KEYS}${delegations} } }]`;
    const warnings = await warningsOf(rule(', delegations: ["targets/releases"]'));
    expect(warnings.map((warning) => [warning.code, warning.field])).toEqual([
      ['DELEGATIONS_EXCLUDE_TARGETS', 'rules[0].notary.delegations'],
    ]);
    expect(warnings[0]?.message).toMatch(/only targets\/releases count: .*NOT_SIGNED; add targets/);
    expect(await warningsOf(rule(', delegations: ["targets/releases", "targets"]'))).toEqual([]);
    expect(await warningsOf(rule(''))).toEqual([]);
  });

  describe('Notation trust stores', () => {
    const pem = readFileSync(`${EXAMPLES}/policy-keys/notary-ca.pem`, 'utf8');
    const statement = (name: string, scope: string, stores: string[]) => ({
      name,
      registryScopes: [scope],
      signatureVerification: { level: 'strict' },
      trustStores: stores,
      trustedIdentities: ['*'],
    });
    const rule = (match: string, statements: object[], stores: string[]) => ({
      match,
      notation: {
        trustPolicy: { version: '1.0', trustPolicies: statements },
        trustStore: Object.fromEntries(stores.map((store) => [store, pem])),
      },
    });
    const policyText = (rules: object[]) => JSON.stringify({ rules });

    it('warns about a store no statement names, once, at the first rule that holds it', async () => {
      const stores = ['ca:acme', 'ca:typo', 'tsa:unused'];
      const warnings = await warningsOf(
        policyText([
          rule('ghcr.io/acme/**', [statement('acme', 'ghcr.io/acme/app', ['ca:acme'])], stores),
          rule('ghcr.io/other/**', [statement('other', 'ghcr.io/other/app', ['ca:acme'])], stores),
        ]),
      );
      expect(warnings.map((warning) => [warning.code, warning.field])).toEqual([
        ['TRUST_STORE_UNUSED', 'rules[0].notation.trustStore'],
        ['TRUST_STORE_UNUSED', 'rules[0].notation.trustStore'],
      ]);
      expect(warnings[0]?.message).toMatch(/^trust store ca:typo is not named by any trust policy statement/);
      expect(warnings[1]?.message).toMatch(/^trust store tsa:unused /);
    });

    it("counts a store named by another rule's statement as used", async () => {
      const stores = ['ca:acme', 'ca:other'];
      const warnings = await warningsOf(
        policyText([
          rule('ghcr.io/acme/**', [statement('acme', 'ghcr.io/acme/app', ['ca:acme'])], stores),
          rule('ghcr.io/other/**', [statement('other', 'ghcr.io/other/app', ['ca:other'])], stores),
        ]),
      );
      expect(warnings).toEqual([]);
    });

    it('is silent when every store is named, tsa stores included', async () => {
      const text = policyText([
        rule('ghcr.io/**', [statement('all', '*', ['ca:acme', 'tsa:clock'])], ['ca:acme', 'tsa:clock']),
      ]);
      expect(await warningsOf(text)).toEqual([]);
    });
  });

  it('does not warn about notary settings of a rule that does not verify', async () => {
    const text = 'rules: [{ match: "ghcr.io/**", action: allow, notary: { server: "https://n.example" } }]';
    expect(await warningsOf(text)).toEqual([]);
  });
});
