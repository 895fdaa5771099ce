import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'notary-gate.js'), 'images', ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('notary-gate images', () => {
  describe('when given the README sample AdmissionReview', () => {
    it('prints containers, then init containers, one a line, and nothing else on stdout', () => {
      const { code, stdout, stderr } = run(['test/fixtures/admission/pod-create.json']);
      expect(code).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toBe(
        [
          'nginx:1.25.3',
          'docker.io/fluent/fluent-bit:2.2.2@sha256:4a8e3bb2d4cd8b4e6f4d4a6f0c3c1c6a9f14d2b3e8f1a7c5d9e0b2a4c6d8e0f1',
          'busybox:1.36',
          '',
        ].join('\n'),
      );
    });
  });

  it('reads multi-document manifests from standard input', () => {
    const { code, stdout } = run(['-'], readFileSync(join(FIXTURES, 'manifests', 'app.yaml'), 'utf8'));
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([
      'ghcr.io/acme/api:1.5.0',
      'envoyproxy/envoy:v1.29.1',
      'ghcr.io/acme/api:1.5.0',
      'registry.example.com:5000/ops/report@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31',
    ]);
  });

  it('prints paths and the changed flag of an UPDATE with --json', () => {
    const { code, stdout } = run(['--json', 'test/fixtures/admission/deployment-update.json']);
    expect(code).toBe(0);
    const { images } = JSON.parse(stdout) as { images: { path: string; changed: boolean }[] };
    expect(images.map((image) => [image.path, image.changed])).toEqual([
      ['spec.template.spec.containers[0].image', true],
      ['spec.template.spec.containers[1].image', false],
      ['spec.template.spec.initContainers[0].image', true],
    ]);
  });

  it('prints nothing for a DELETE', () => {
    expect(run(['test/fixtures/admission/pod-delete.json'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  describe('when the input is bad', () => {
    it.each([
      [
        'a missing file',
        ['test/fixtures/manifests/missing.yaml'],
        'cannot read test/fixtures/manifests/missing.yaml: no such file',
      ],
      ['broken YAML', ['test/fixtures/manifests/broken.yaml'], 'document 2: not valid YAML or JSON'],
    ])('exits 2 with one line on stderr for %s', (_what, args, message) => {
      const { code, stdout, stderr } = run(args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(message);
    });
  });

  it('explains itself with an example in --help', () => {
    const { code, stdout } = run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('notary-gate images test/fixtures/admission/pod-create.json');
  });
});
