import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENV } from '../../shared/constants';
import { loadPolicy } from '../../shared/policy/load';

const ROOT = join(__dirname, '../..');
const cdkContext = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;

/**
 * Runs the CDK app exactly as `npx cdk synth` does (the CLI passes context and the output folder in these two
 * variables), with the real webhook entry bundled by the local esbuild, no AWS credentials and no network.
 */
function synth(context: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'notary-gate-synth-'));
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, ...env } = process.env;
  const result = spawnSync(process.execPath, ['bin/run-ts.js', 'infra/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...cdkContext, ...context }) },
  });
  return { ...result, outdir };
}

describe('cdk synth of the app', () => {
  describe('with a policy that refers to a CA file and root keys', () => {
    const result = synth({ policy: 'test/infra/fixtures/policy/policy.yaml', stackName: 'NotaryGateTest' });
    afterAll(() => rmSync(result.outdir, { recursive: true, force: true }));
    const template = () => JSON.parse(readFileSync(join(result.outdir, 'NotaryGateTest.template.json'), 'utf8'));
    const fn = () =>
      // biome-ignore lint/suspicious/noExplicitAny: synthesized template JSON
      Object.values(template().Resources as Record<string, { Type: string; Properties: Record<string, any> }>).find(
        (resource) => resource.Type === 'AWS::Lambda::Function',
      )!;
    const assetDir = () => join(result.outdir, `asset.${String(fn().Properties.Code.S3Key).replace(/\.zip$/, '')}`);

    it('succeeds offline without AWS credentials', () => {
      expect(result.stderr).not.toMatch(/notary-gate: /);
      expect(result.status).toBe(0);
    });

    it('bundles the real webhook handler: index.mjs and its chunks, which a fresh node loads on their own', () => {
      expect(statSync(join(assetDir(), 'index.mjs')).size).toBeGreaterThan(10_000);
      expect(readdirSync(join(assetDir(), 'chunks')).length).toBeGreaterThan(0);
      const probe = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          'const m = await import(process.argv[1]); process.stdout.write(typeof m.handler);',
          pathToFileURL(join(assetDir(), 'index.mjs')).href,
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1' }, cwd: tmpdir() },
      );
      expect(probe.stderr).toBe('');
      expect(probe.stdout).toBe('function');
    });

    it('ships a policy the loader accepts, at the path POLICY_FILE names', async () => {
      const policyFile = fn().Properties.Environment.Variables[ENV.policyFile] as string;
      expect(policyFile).toBe('/var/task/policy/policy.json');
      const shipped = join(assetDir(), 'policy/policy.json');
      const policy = await loadPolicy({ file: shipped, validateOnly: true });
      const original = await loadPolicy({
        file: join(ROOT, 'test/infra/fixtures/policy/policy.yaml'),
        validateOnly: true,
      });
      expect(policy).toEqual(original);
    });
  });

  describe('with no context at all, as on a fresh clone', () => {
    it('succeeds, warning that the built-in default policy denies every image', () => {
      const result = synth({});
      const written = existsSync(join(result.outdir, 'NotaryGate.template.json'));
      rmSync(result.outdir, { recursive: true, force: true });
      expect(result.status).toBe(0);
      expect(written).toBe(true);
      expect(result.stderr).toContain('the built-in default policy denies every image');
    });
  });

  describe('with a policy that does not validate', () => {
    it('fails with one line naming the bad field, before anything is built', () => {
      const dir = mkdtempSync(join(tmpdir(), 'notary-gate-bad-policy-'));
      writeFileSync(join(dir, 'policy.yaml'), 'mode: enforce\nrules:\n  - match: ["x/**"]\n    action: sign\n');
      const result = synth({ policy: join(dir, 'policy.yaml') });
      rmSync(dir, { recursive: true, force: true });
      rmSync(result.outdir, { recursive: true, force: true });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/INVALID_POLICY: .*rules\[0\]\.action/);
    });
  });

  describe('with a policy that reads Notary credentials from the environment', () => {
    it('fails, since the function would have no such variables, and points to secretArn', () => {
      const result = synth({ policy: 'examples/policy.yaml' });
      rmSync(result.outdir, { recursive: true, force: true });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(
        /INVALID_POLICY: invalid policy for deployment \(examples\/policy\.yaml\): rules\[0\]\.notary\.auth \(NOTARY_USERNAME, NOTARY_PASSWORD\) reads credentials from environment variables.*secretArn/,
      );
    });
  });

  describe('with a policy that reads Notary credentials from Secrets Manager', () => {
    const result = synth({ policy: 'infra/examples/policy-private-notary.yaml', stackName: 'NotaryGatePrivate' });
    afterAll(() => rmSync(result.outdir, { recursive: true, force: true }));

    it('succeeds offline, granting the function read on exactly the secret the policy names', () => {
      expect(result.stderr).not.toMatch(/notary-gate: /);
      expect(result.status).toBe(0);
      const template = JSON.parse(readFileSync(join(result.outdir, 'NotaryGatePrivate.template.json'), 'utf8'));
      const statements = Object.values(
        template.Resources as Record<
          string,
          { Type: string; Properties: { PolicyDocument?: { Statement: unknown[] } } }
        >,
      ).flatMap((resource) =>
        resource.Type === 'AWS::IAM::Policy' ? (resource.Properties.PolicyDocument?.Statement ?? []) : [],
      );
      expect(statements).toContainEqual({
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:notary-gate/notary-pull-AbCdEf',
      });
    });
  });

  describe('with context that does not validate', () => {
    it('names the context key', () => {
      const result = synth({ reservedConcurrency: 'lots' });
      rmSync(result.outdir, { recursive: true, force: true });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/context reservedConcurrency/);
      expect(existsSync(join(result.outdir, 'NotaryGate.template.json'))).toBe(false);
    });
  });
});
