import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeWithRegistry } from '../harness/availability';
import { type BuiltImage, writeImageLayout } from '../harness/oci-layout';
import { type RegistryHarness, startRegistry } from '../harness/registry-harness';

const ROOT = path.join(__dirname, '..', '..');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'notary-gate.js'), 'inspect', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describeWithRegistry('notary-gate inspect against docker-registry filled by skopeo', () => {
  let registry: RegistryHarness;
  let dir: string;
  let multi: BuiltImage;
  let policy: string;
  const env = () => ({ REG_USER: registry.credentials.username, REG_PASS: registry.credentials.password });

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-inspect-'));
    multi = await writeImageLayout(path.join(dir, 'multi'), {
      tag: 'v1',
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
    });
    await registry.push(path.join(dir, 'multi'), 'v1', 'team/multi:v1', { all: true });
    await writeFile(path.join(dir, 'ca.pem'), registry.caPem);
    policy = path.join(dir, 'policy.yaml');
    await writeFile(
      policy,
      [
        'defaultAction: deny',
        'registries:',
        `  "${registry.host}":`,
        '    caFile: ./ca.pem',
        '    auth: { usernameEnv: REG_USER, passwordEnv: REG_PASS }',
        '',
      ].join('\n'),
    );
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints the digest skopeo reports, the platforms of the index and the verdict (--json)', async () => {
    const { code, stdout, stderr } = await run(['--policy', policy, '--json', `${registry.host}/team/multi:v1`], env());
    expect(stderr).not.toMatch(/Error/);
    const report = JSON.parse(stdout);
    expect(report.descriptor.digest).toBe(await registry.skopeoDigest('team/multi:v1'));
    expect(report.descriptor.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(report.platforms).toEqual(
      multi.manifests.map((manifest) => ({
        platform: `linux/${manifest.platform.architecture}`,
        digest: manifest.digest,
        mediaType: manifest.mediaType,
      })),
    );
    expect(report.signatures.notation).toEqual({ source: 'tag', manifests: [] });
    expect(report.verdict).toMatchObject({ allowed: false, code: 'DENIED_BY_RULE' });
    expect(code).toBe(1);
  }, 60_000);

  it('prints lines for people without --json', async () => {
    const { stdout } = await run(['--policy', policy, `${registry.host}/team/multi:v1`], env());
    expect(stdout).toContain(`digest      ${multi.top.digest}`);
    expect(stdout).toMatch(/platform {4}linux\/arm64/);
  }, 60_000);
});
