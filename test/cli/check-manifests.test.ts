import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const POLICY = path.join(ROOT, 'examples', 'policy-allow-deny.yaml');

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: web, image: "nginx:1.25.3"}, {name: side, image: "evil.example.com/miner"}]
---
apiVersion: v1
kind: Pod
metadata: {name: debug}
spec:
  containers: [{name: c, image: "nginx:1.25.3"}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
`;

function cli(args: string[], cwd: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin', 'notary-gate.js'), ...args],
      { cwd, env: { PATH: process.env.PATH }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('check -f: where each image came from', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-check-f-'));
    await writeFile(path.join(dir, 'deploy.yaml'), MANIFESTS);
    await writeFile(path.join(dir, 'config.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gives each image its object and path; the same image in two objects is two entries', async () => {
    const { code, stdout } = await cli(['check', '--policy', POLICY, '--json', '-f', 'deploy.yaml'], dir);
    expect(code).toBe(1);
    const { images } = JSON.parse(stdout);
    expect(images.map((i: { image: string; object: unknown; path: string }) => [i.image, i.object, i.path])).toEqual([
      [
        'nginx:1.25.3',
        { kind: 'Deployment', namespace: 'shop', name: 'web' },
        'spec.template.spec.containers[0].image',
      ],
      [
        'evil.example.com/miner',
        { kind: 'Deployment', namespace: 'shop', name: 'web' },
        'spec.template.spec.containers[1].image',
      ],
      ['nginx:1.25.3', { kind: 'Pod', namespace: null, name: 'debug' }, 'spec.containers[0].image'],
    ]);
  });

  it('--output json is --json; --output table groups the images under their object', async () => {
    const json = await cli(['check', '--policy', POLICY, '--output', 'json', '-f', 'deploy.yaml'], dir);
    expect(JSON.parse(json.stdout).images).toHaveLength(3);
    const table = await cli(['check', '--policy', POLICY, '--output', 'table', '-f', 'deploy.yaml'], dir);
    expect(table.stdout.split('\n').filter(Boolean)).toEqual([
      'Deployment shop/web',
      expect.stringMatching(/^ {2}allow {2}spec\.template\.spec\.containers\[0\]\.image {2}nginx:1\.25\.3 /),
      expect.stringMatching(/^ {2}deny {3}spec\.template\.spec\.containers\[1\]\.image {2}evil\.example\.com\/miner /),
      'Pod debug',
      expect.stringMatching(/^ {2}allow {2}spec\.containers\[0\]\.image {2}nginx:1\.25\.3 /),
    ]);
  });

  it('manifests with no images pass: exit 0, an empty images list', async () => {
    const { code, stdout } = await cli(['check', '--policy', POLICY, '--json', '-f', 'config.yaml'], dir);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ allowed: true, images: [] });
  });

  it('--junit writes a JUnit report: a test suite per object, a failure per denial', async () => {
    const report = path.join(dir, 'report.xml');
    await cli(['check', '--policy', POLICY, '--junit', report, '-f', 'deploy.yaml'], dir);
    const xml = await readFile(report, 'utf8');
    expect(xml).toContain('<testsuites name="notary-gate check" tests="3" failures="1">');
    expect(xml).toContain('<testsuite name="Deployment shop/web" tests="2" failures="1">');
    expect(xml).toMatch(/<failure type="DENIED_BY_RULE" message="DENIED_BY_RULE: [^"]+"\/>/);
    expect(xml).toContain('<testsuite name="Pod debug" tests="1" failures="0">');
  });
});
