import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const DIR = mkdtempSync(join(tmpdir(), 'notary-gate-lint-'));

function run(args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'notary-gate.js'), 'lint', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function policyFile(name: string, text: string): string {
  const file = join(DIR, name);
  writeFileSync(file, text);
  return file;
}

describe('notary-gate lint', () => {
  it('accepts the example policy, warning about its deliberate choices (delegations, trust on first use)', () => {
    const { code, stdout, stderr } = run(['examples/policy.yaml']);
    expect(code).toBe(0);
    expect(stdout).toBe('examples/policy.yaml: valid, 4 rules, 2 warnings\n');
    expect(
      stderr
        .trim()
        .split('\n')
        .map((line) => line.split(': ').slice(0, 4).join(': ')),
    ).toEqual([
      'notary-gate: warning: DELEGATIONS_EXCLUDE_TARGETS: rules[0].notary.delegations',
      'notary-gate: warning: TRUST_ON_FIRST_USE: rules[1].notary.rootKeys',
    ]);
  });

  it('prints warnings on stderr and exits 0', () => {
    const file = policyFile(
      'warn.yaml',
      'apiVersion: notary-gate/v1\nkind: Policy\nrules:\n  - match: [nginx]\n    notary: { server: https://n.example, delegations: [targets/releases] }\n',
    );
    const { code, stdout, stderr } = run([file]);
    expect(code).toBe(0);
    expect(stdout).toBe(`${file}: valid, 1 rule, 3 warnings\n`);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      'notary-gate: warning: MATCH_NEVER_MATCHES: rules[0].match[0]: nginx can never match: globs match the ' +
        'normalized name (nginx is matched as docker.io/library/nginx); write docker.io/library/nginx',
    );
    expect(lines[1]).toMatch(/^notary-gate: warning: TRUST_ON_FIRST_USE: rules\[0\]\.notary\.rootKeys: /);
    expect(lines[2]).toMatch(/^notary-gate: warning: DELEGATIONS_EXCLUDE_TARGETS: rules\[0\]\.notary\.delegations: /);
  });

  it('prints a machine-readable result with --json', () => {
    const file = policyFile('json.yaml', 'rules: [{ match: "library/nginx", action: allow }]');
    const { code, stdout } = run(['--json', file]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      valid: true,
      policy: file,
      rules: 1,
      warnings: [
        {
          code: 'MATCH_NEVER_MATCHES',
          field: 'rules[0].match[0]',
          message: expect.stringContaining('write docker.io/library/nginx'),
          suggestion: 'docker.io/library/nginx',
        },
      ],
    });
  });

  it('exits 2 with the loader error, naming line and column of a syntax error', () => {
    const file = policyFile('broken.json', '{\n  "mode": "enforce",,\n}\n');
    const { code, stdout, stderr } = run([file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `notary-gate: INVALID_POLICY: invalid policy (${file}): not valid YAML or JSON at line 2, column 21: Unexpected , in flow map\n`,
    );
  });

  it('refuses a Kyverno policy saying what it is, also in --json', () => {
    const file = policyFile('kyverno.yaml', 'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nspec: {}\n');
    const { code, stdout, stderr } = run(['--json', file]);
    expect(code).toBe(2);
    expect(stderr).toContain('kyverno.io/v1 ClusterPolicy: this is a Kyverno policy, not a notary-gate policy');
    const result = JSON.parse(stdout) as { valid: boolean; error: { code: string; message: string } };
    expect(result.valid).toBe(false);
    expect(result.error.code).toBe('INVALID_POLICY');
    expect(result.error.message).toContain('this is a Kyverno policy');
  });

  it('refuses what the loader refuses, as the loader words it', () => {
    const file = policyFile('bad.yaml', 'rules: [{ match: "ghcr.io/**", notary: { server: "http://n.example" } }]');
    const { code, stderr } = run([file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^notary-gate: INVALID_POLICY: invalid policy \(.*bad\.yaml\): rules\[0\]\.notary\.server: /,
    );
  });

  it('exits 2 for a missing file', () => {
    const { code, stderr } = run([join(DIR, 'absent.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot read policy file .*absent\.yaml: no such file/);
  });
});
