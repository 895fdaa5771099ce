import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidPolicyError } from '../../../shared/errors';
import { DEFAULT_POLICY, loadPolicy, policyFromEnv } from '../../../shared/policy/load';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
const EXAMPLE_POLICY = join(EXAMPLES, 'policy.yaml');
const CA_PEM = readFileSync(join(EXAMPLES, 'policy-keys', 'notary-ca.pem'), 'utf8');
const ROOT_PEM = readFileSync(join(EXAMPLES, 'policy-keys', 'root.crt'), 'utf8');
const NOTARY_ENV = { NOTARY_USERNAME: 'ci-bot', NOTARY_PASSWORD: 's3cret' };

async function refusal(text: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    await loadPolicy({ text, baseDir: EXAMPLES, env });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPolicyError);
    expect((error as InvalidPolicyError).code).toBe('INVALID_POLICY');
    return (error as Error).message;
  }
  throw new Error('expected the policy to be refused');
}

describe('loadPolicy', () => {
  describe('when given the complete example (examples/policy.yaml)', () => {
    it('resolves every setting, reading PEM files relative to the policy file', async () => {
      const policy = await loadPolicy({ file: EXAMPLE_POLICY, env: NOTARY_ENV });
      expect(policy).toEqual({
        mode: 'enforce',
        defaultAction: 'deny',
        exemptNamespaces: ['kube-system'],
        skipUnchangedImages: false,
        cache: { freshTtlSeconds: 300, maxStaleSeconds: 3600 },
        rules: [
          {
            match: ['registry.example.com/team/**'],
            action: 'verify',
            requireDigest: true,
            mutateDigest: true,
            require: 'all',
            mode: undefined,
            notary: {
              server: 'https://notary.example.com',
              ca: CA_PEM,
              rootKeys: [ROOT_PEM],
              delegations: ['targets/releases'],
              auth: { username: 'ci-bot', password: 's3cret' },
            },
          },
          {
            match: ['registry.example.com/platform/**'],
            action: 'verify',
            requireDigest: true,
            mutateDigest: true,
            require: 'all',
            mode: 'audit',
            notary: {
              server: 'https://notary.platform.example.com',
              ca: undefined,
              rootKeys: [],
              delegations: undefined,
              auth: undefined,
            },
          },
          {
            match: ['registry.k8s.io/**'],
            action: 'allow',
            requireDigest: true,
            mutateDigest: true,
            require: 'all',
            mode: undefined,
          },
          {
            match: ['docker.io/**'],
            action: 'deny',
            requireDigest: true,
            mutateDigest: true,
            require: 'all',
            mode: undefined,
          },
        ],
      });
    });

    it('refuses to start when an auth environment variable is missing', async () => {
      await expect(loadPolicy({ file: EXAMPLE_POLICY, env: { NOTARY_USERNAME: 'ci-bot' } })).rejects.toThrow(
        'rules[0].notary.auth.passwordEnv: environment variable NOTARY_PASSWORD is not set',
      );
    });

    it('validates without credentials when asked to validate only', async () => {
      const policy = await loadPolicy({ file: EXAMPLE_POLICY, env: {}, validateOnly: true });
      expect(policy.rules[0]?.notary?.auth).toBeUndefined();
      expect(policy.rules[0]?.notary?.rootKeys).toEqual([ROOT_PEM]);
    });
  });

  it('loads the allow/deny example', async () => {
    const policy = await loadPolicy({ file: join(EXAMPLES, 'policy-allow-deny.yaml') });
    expect(policy.rules.map((rule) => rule.action)).toEqual(['allow', 'deny']);
  });

  it('reads mutateDigest per rule and refuses a value that is not true or false', async () => {
    const text = (value: string) =>
      `rules: [{ match: "a/**", mutateDigest: ${value}, notary: { server: "https://n.example" } }]`;
    expect((await loadPolicy({ text: text('false') })).rules[0]?.mutateDigest).toBe(false);
    await expect(loadPolicy({ text: text('"no"') })).rejects.toThrow('rules[0].mutateDigest: must be true or false');
  });

  describe('when fields are left out', () => {
    it('applies the documented defaults', async () => {
      const policy = await loadPolicy({ text: 'rules: [{ match: "a/**", notary: { server: "https://n.example" } }]' });
      expect(policy).toEqual({
        mode: 'enforce',
        defaultAction: 'deny',
        exemptNamespaces: [],
        skipUnchangedImages: false,
        cache: { freshTtlSeconds: 300, maxStaleSeconds: 3600 },
        rules: [
          {
            match: ['a/**'],
            action: 'verify',
            requireDigest: true,
            mutateDigest: true,
            require: 'all',
            mode: undefined,
            notary: {
              server: 'https://n.example',
              ca: undefined,
              rootKeys: [],
              delegations: undefined,
              auth: undefined,
            },
          },
        ],
      });
    });

    it('reads JSON as well as YAML', async () => {
      const policy = await loadPolicy({
        text: '{"mode": "audit", "defaultAction": "allow", "cache": {"freshTtlSeconds": 5}}',
      });
      expect([policy.mode, policy.defaultAction, policy.cache]).toEqual([
        'audit',
        'allow',
        { freshTtlSeconds: 5, maxStaleSeconds: 3600 },
      ]);
    });
  });

  describe('when PEM is given inline', () => {
    it('keeps the text as is', async () => {
      const text = JSON.stringify({
        rules: [{ match: ['x/**'], notary: { server: 'https://n.example', caFile: CA_PEM, rootKeys: [ROOT_PEM] } }],
      });
      const notary = (await loadPolicy({ text })).rules[0]?.notary;
      expect([notary?.ca, notary?.rootKeys]).toEqual([CA_PEM, [ROOT_PEM]]);
    });
  });

  it('takes a plain username with a password from the environment', async () => {
    const text =
      'rules: [{match: x/**, notary: {server: "https://n.example", auth: {username: bot, passwordEnv: PW}}}]';
    const policy = await loadPolicy({ text, env: { PW: 'pw' } });
    expect(policy.rules[0]?.notary?.auth).toEqual({ username: 'bot', password: 'pw' });
  });

  it('trims trailing slashes from the server URL', async () => {
    const policy = await loadPolicy({ text: 'rules: [{match: x/**, notary: {server: "https://n.example/notary/"}}]' });
    expect(policy.rules[0]?.notary?.server).toBe('https://n.example/notary');
  });

  describe('when the policy is wrong', () => {
    const rule = (notary: string) =>
      `rules:\n  - match: ["a/**"]\n    action: allow\n  - match: ["b/**"]\n    notary: ${notary}\n`;
    it.each([
      [
        'an http server',
        rule('{ server: "http://notary.example.com" }'),
        /rules\[1\]\.notary\.server: must be an https URL/,
      ],
      [
        'a server with credentials',
        rule('{ server: "https://u:p@notary.example.com" }'),
        /rules\[1\]\.notary\.server: must be an https URL without credentials/,
      ],
      [
        'a server that is not a URL',
        rule('{ server: "notary.example.com" }'),
        /rules\[1\]\.notary\.server: must be an https URL/,
      ],
      [
        'a plain password',
        rule('{ server: "https://n.example", auth: { username: u, password: hunter2 } }'),
        /rules\[1\]\.notary\.auth\.password: plain passwords are not allowed/,
      ],
      [
        'auth without a username',
        rule('{ server: "https://n.example", auth: { passwordEnv: PW } }'),
        /rules\[1\]\.notary\.auth\.usernameEnv: give exactly one of username or usernameEnv/,
      ],
      [
        'auth without a password variable',
        rule('{ server: "https://n.example", auth: { username: u } }'),
        /rules\[1\]\.notary\.auth\.passwordEnv: must name the environment variable/,
      ],
      [
        'a bad env variable name',
        rule('{ server: "https://n.example", auth: { username: u, passwordEnv: "my-pw" } }'),
        /passwordEnv: must be the name of an environment variable/,
      ],
      [
        'a bad delegation',
        rule('{ server: "https://n.example", delegations: ["releases"] }'),
        /rules\[1\]\.notary\.delegations\[0\]: must be a Notary targets role/,
      ],
      [
        'a misspelt field',
        rule('{ server: "https://n.example", rootKey: [] }'),
        /rules\[1\]\.notary\.rootKey: unknown field/,
      ],
      [
        'verify without a format section',
        'rules: [{ match: "a/**" }]',
        /rules\[0\]: needs a signature format section \(notary: or notation:\) when action is verify/,
      ],
      [
        'an unknown action',
        'rules: [{ match: "a/**", action: sign }]',
        /rules\[0\]\.action: must be one of verify, allow, deny/,
      ],
      [
        'an empty match list',
        'rules: [{ match: [], action: allow }]',
        /rules\[0\]\.match: must list at least one glob/,
      ],
      [
        'a rule mode typo',
        'rules: [{ match: "a", action: allow, mode: audited }]',
        /rules\[0\]\.mode: must be one of enforce, audit/,
      ],
      ['an unknown mode', 'mode: warn', /^invalid policy \(inline policy\): mode: must be one of enforce, audit$/],
      ['an unknown top-level field', 'mode: enforce\ndefaultActions: allow', /defaultActions: unknown field/],
      ['a negative TTL', 'cache: { freshTtlSeconds: -1 }', /cache\.freshTtlSeconds: must not be negative/],
      ['a fractional TTL', 'cache: { maxStaleSeconds: 1.5 }', /cache\.maxStaleSeconds: must be a whole number/],
      [
        'exemptNamespaces as a string',
        'exemptNamespaces: kube-system',
        /exemptNamespaces: must be a list of namespace names/,
      ],
      ['a list instead of a mapping', '- a\n- b', /the policy must be a mapping/],
      ['an empty text', '', /the policy is empty/],
      ['two YAML documents', 'mode: enforce\n---\nmode: audit\n', /expected one YAML document, found 2/],
      ['broken YAML', 'mode: [enforce', /not valid YAML or JSON/],
      [
        'a missing root key file',
        rule('{ server: "https://n.example", rootKeys: ["./nope.pem"] }'),
        /rules\[1\]\.notary\.rootKeys\[0\]: cannot read file .*nope\.pem: no such file/,
      ],
      [
        'a CA file that is not PEM',
        rule('{ server: "https://n.example", caFile: "./policy.yaml" }'),
        /rules\[1\]\.notary\.caFile: \.\/policy\.yaml is not a PEM file/,
      ],
    ])('refuses %s, naming the field', async (_what, text, reason) => {
      expect(await refusal(text)).toMatch(reason);
    });

    it('lists several problems at once', async () => {
      expect(await refusal('mode: x\ndefaultAction: y')).toMatch(/mode: .*; defaultAction: must be allow or deny/);
    });

    it('names a missing policy file', async () => {
      await expect(loadPolicy({ file: join(EXAMPLES, 'missing.yaml') })).rejects.toThrow(
        /cannot read policy file .*missing\.yaml: no such file/,
      );
    });

    it('needs exactly one of file and text', async () => {
      await expect(loadPolicy({})).rejects.toThrow(InvalidPolicyError);
    });
  });
});

describe('DEFAULT_POLICY', () => {
  it('fails closed: enforce, deny by default, no rules', () => {
    expect(DEFAULT_POLICY).toMatchObject({ mode: 'enforce', defaultAction: 'deny', rules: [] });
  });
});

describe('policyFromEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'notary-gate-policy-'));
  writeFileSync(join(dir, 'policy.yaml'), 'mode: audit\n');

  it('reads POLICY inline', async () => {
    expect((await policyFromEnv({ POLICY: '{"defaultAction":"allow"}' }, dir)).defaultAction).toBe('allow');
  });

  it('reads POLICY_FILE relative to the base folder', async () => {
    expect((await policyFromEnv({ POLICY_FILE: 'policy.yaml' }, dir)).mode).toBe('audit');
  });

  it('falls back to the embedded default', async () => {
    expect(await policyFromEnv({}, dir)).toBe(DEFAULT_POLICY);
  });

  it('refuses both at once', async () => {
    await expect(policyFromEnv({ POLICY: 'mode: audit', POLICY_FILE: 'policy.yaml' }, dir)).rejects.toThrow(
      'set POLICY or POLICY_FILE, not both',
    );
  });
});

describe.each(['docs/policy.md', 'README.md'])('%s', (document) => {
  it('shows examples/policy.yaml exactly as the tests load it', () => {
    const doc = readFileSync(join(EXAMPLES, '..', document), 'utf8');
    const shown = /```yaml\n(mode:[\s\S]*?)```/.exec(doc)?.[1];
    expect(shown).toBeDefined();
    expect(readFileSync(EXAMPLE_POLICY, 'utf8')).toContain(shown);
  });
});
