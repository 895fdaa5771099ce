import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { stagePolicy } from '../../infra/policy-bundle';
import { InvalidPolicyError } from '../../shared/errors';
import { loadPolicy } from '../../shared/policy/load';

const FIXTURE = join(__dirname, 'fixtures/policy/policy.yaml');

describe('staging a policy for the Lambda bundle', () => {
  const root = mkdtempSync(join(tmpdir(), 'notary-gate-stage-test-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  describe('with files referenced by relative paths', () => {
    const staged = stagePolicy(FIXTURE, root);
    const shipped = parse(readFileSync(staged.file, 'utf8'));
    const notary = shipped.rules[0].notary;

    it('copies each referenced file into the staged folder and points the policy at the copy', () => {
      expect(notary.caFile).toBe('./files/0-notary-ca.pem');
      expect(notary.rootKeys[0]).toBe('./files/1-root.pub');
      expect(readFileSync(join(staged.dir, notary.caFile), 'utf8')).toContain('TESTCA');
      expect(readFileSync(join(staged.dir, notary.rootKeys[0]), 'utf8')).toContain('TESTROOT');
      expect(staged.copied).toHaveLength(2);
    });

    it('keeps inline PEM keys and the other rules as they are', () => {
      expect(notary.rootKeys[1]).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      expect(shipped.rules[1]).toEqual({ match: ['docker.io/library/**'], action: 'allow' });
      expect(shipped.mode).toBe('audit');
    });

    it('writes the policy as JSON.stringify does, which the loader reads without a YAML parser', async () => {
      const text = readFileSync(staged.file, 'utf8');
      expect(staged.file.endsWith('policy.json')).toBe(true);
      expect(text).toBe(`${JSON.stringify(JSON.parse(text))}\n`);
      expect(await loadPolicy({ file: staged.file, validateOnly: true })).toEqual(
        await loadPolicy({ file: FIXTURE, validateOnly: true }),
      );
    });
  });

  it('copies a file referenced by an absolute path too', () => {
    const dir = mkdtempSync(join(root, 'abs-'));
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere/ca.pem'), 'ABSOLUTE-CA');
    writeFileSync(
      join(dir, 'policy.yaml'),
      `rules:\n  - match: ["a/**"]\n    notary: { server: "https://n.example.com", caFile: "${join(dir, 'elsewhere/ca.pem')}" }\n`,
    );
    const staged = stagePolicy(join(dir, 'policy.yaml'), root);
    const caFile = parse(readFileSync(staged.file, 'utf8')).rules[0].notary.caFile;
    expect(readFileSync(join(staged.dir, caFile), 'utf8')).toBe('ABSOLUTE-CA');
  });

  it('fails naming the reference when a referenced file is missing', () => {
    const dir = mkdtempSync(join(root, 'missing-'));
    writeFileSync(
      join(dir, 'policy.yaml'),
      'rules:\n  - match: ["a/**"]\n    notary: { server: "https://n.example.com", rootKeys: ["./nope.pub"] }\n',
    );
    const stage = () => stagePolicy(join(dir, 'policy.yaml'), root);
    expect(stage).toThrow(InvalidPolicyError);
    expect(stage).toThrow(`${join(dir, 'policy.yaml')}: cannot read the file it refers to, ./nope.pub`);
  });

  it("stages the deploy guide's example policy into one the loader accepts, in audit mode", async () => {
    const staged = stagePolicy(join(__dirname, '../../infra/examples/policy.yaml'), root);
    await expect(loadPolicy({ file: staged.file })).resolves.toMatchObject({ mode: 'audit', defaultAction: 'deny' });
  });

  it('fails when the policy file does not exist', () => {
    expect(() => stagePolicy(join(root, 'absent.yaml'), root)).toThrow(/cannot read the policy file/);
  });
});
