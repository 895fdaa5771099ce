import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../harness/run-cli';

const ALLOW_DENY = 'examples/policy-allow-deny.yaml';

/** Runs the real CLI (asynchronously: the test process may be serving a Notary token endpoint meanwhile). */
const cli = runCli;

describe('notary-gate check', () => {
  describe('with image arguments and an allow/deny policy', () => {
    it('prints one line per image and exits 1 when one is denied', async () => {
      const { code, stdout } = await cli(['check', '--policy', ALLOW_DENY, 'nginx:1.25.3', 'evil.example.com/miner']);
      expect(code).toBe(1);
      expect(stdout.trim().split('\n')).toEqual([
        expect.stringMatching(/^allow {2}nginx:1\.25\.3 +ALLOWED_BY_RULE: /),
        expect.stringMatching(/^deny {3}evil\.example\.com\/miner +DENIED_BY_RULE: /),
      ]);
    });

    it('exits 0 when every image is allowed', async () => {
      const { code } = await cli(['check', '--policy', ALLOW_DENY, 'registry.k8s.io/pause:3.9', 'ubuntu']);
      expect(code).toBe(0);
    });
  });

  describe('with --json', () => {
    it("prints exactly the contract's object, with docker's normalization", async () => {
      const { code, stdout } = await cli([
        'check',
        '--json',
        '--policy',
        ALLOW_DENY,
        '--',
        'ubuntu',
        `evil.example.com/x@sha256:${'c'.repeat(64)}`,
        'Not_Valid!',
      ]);
      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toEqual({
        allowed: false,
        images: [
          {
            image: 'ubuntu',
            name: 'docker.io/library/ubuntu',
            tag: 'latest',
            digest: null,
            reference: 'docker.io/library/ubuntu:latest',
            allowed: true,
            code: 'ALLOWED_BY_RULE',
            reason: expect.any(String),
            signedDigest: null,
          },
          {
            image: `evil.example.com/x@sha256:${'c'.repeat(64)}`,
            name: 'evil.example.com/x',
            tag: null,
            digest: `sha256:${'c'.repeat(64)}`,
            reference: `evil.example.com/x@sha256:${'c'.repeat(64)}`,
            allowed: false,
            code: 'DENIED_BY_RULE',
            reason: expect.any(String),
            signedDigest: null,
          },
          expect.objectContaining({
            image: 'Not_Valid!',
            name: null,
            reference: null,
            allowed: false,
            code: 'INVALID_REFERENCE',
          }),
        ],
      });
    });
  });

  it('checks every image of manifests given with -f', async () => {
    const { stdout } = await cli([
      'check',
      '--json',
      '--policy',
      ALLOW_DENY,
      '-f',
      'test/fixtures/admission/cronjob-create.json',
    ]);
    expect(JSON.parse(stdout).images.map((i: { image: string; allowed: boolean }) => [i.image, i.allowed])).toEqual([
      ['registry.example.com:5000/ops/pg-backup:2024.03', false],
      ['alpine:3.19', true],
    ]);
  });

  it('reports progress on stderr, never stdout, when checking many images', async () => {
    const images = Array.from({ length: 12 }, (_, i) => `registry.k8s.io/image-${i}:v1`);
    const { code, stdout, stderr } = await cli(['check', '--policy', ALLOW_DENY, ...images]);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(12);
    expect(stderr).toContain('checking 12 images');
    expect(stderr).toContain('12/12 checked');
  });

  describe('trust on first use without --cache-table', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-tofu-'));
      // Nothing listens on port 1: each image is denied NOTARY_UNREACHABLE at once, which is not what is tested.
      await writeFile(
        path.join(dir, 'tofu.yaml'),
        'rules:\n  - match: ["registry.example.com/**"]\n    notary: { server: "https://127.0.0.1:1" }\n' +
          '  - match: ["registry.k8s.io/**"]\n    action: allow\n',
      );
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));
    const images = ['registry.example.com/a/one:1', 'registry.example.com/a/two:1', 'registry.k8s.io/pause:3.9'];

    it('says once per run, on stderr, that nothing is remembered, naming the rule and repositories', async () => {
      const { stdout, stderr } = await cli(['check', '--policy', path.join(dir, 'tofu.yaml'), ...images]);
      expect(stdout.trim().split('\n')).toHaveLength(3);
      const notes = stderr.split('\n').filter((line) => line.startsWith('notary-gate: note: '));
      expect(notes).toEqual([
        expect.stringContaining(
          'rules[0].notary trusts the root on first use, which a one-shot check without --cache-table cannot do',
        ),
      ]);
      expect(notes[0]).toContain('registry.example.com/a/one, registry.example.com/a/two (a replaced root');
      expect(notes[0]).not.toContain('registry.k8s.io');
    });

    it('keeps stdout pure JSON with --output json', async () => {
      const { stdout, stderr } = await cli([
        'check',
        '--output',
        'json',
        '--policy',
        path.join(dir, 'tofu.yaml'),
        ...images,
      ]);
      expect(JSON.parse(stdout).images).toHaveLength(3);
      expect(stderr).toContain('notary-gate: note: rules[0].notary trusts the root on first use');
    });

    it('says nothing when no image falls under such a rule', async () => {
      const { code, stderr } = await cli([
        'check',
        '--policy',
        path.join(dir, 'tofu.yaml'),
        'registry.k8s.io/pause:3.9',
      ]);
      expect(code).toBe(0);
      expect(stderr).toBe('');
    });
  });

  describe('usage and input errors exit 2 with one line on stderr', () => {
    it.each([
      ['no image', ['check']],
      ['a bad --at', ['check', '--at', 'yesterday', 'nginx']],
      ['a missing policy file', ['check', '--policy', 'no-such-policy.yaml', 'nginx']],
    ])('%s', async (_what, args) => {
      const { code, stdout, stderr } = await cli(args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^notary-gate: [A-Z_]+: /);
    });
  });
});
