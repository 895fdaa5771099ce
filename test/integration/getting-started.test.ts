/**
 * docs/getting-started.md, run as written: the `sh` blocks marked `run` go through one bash, in order, from the
 * repository root (scripts/local-notary.sh starts a real notary-server and notary-signer, the real `notary` client
 * signs, the checkout's CLI is `notary-gate` on PATH); the blocks that need Docker or a kind cluster are stood in
 * for: a manifest written here instead of `docker buildx imagetools inspect`, and the guide's own `serve` and
 * `webhook-config` lines run on 127.0.0.1 with the Pod's AdmissionReview posted where the configuration points.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describeWithNotary } from '../harness/availability';
import { freePort } from '../harness/processes';

const ROOT = path.join(__dirname, '..', '..');
const GUIDE = path.join(ROOT, 'docs', 'getting-started.md');
const EXAMPLE = path.join(ROOT, 'examples', 'getting-started', 'policy.yaml');

interface Block {
  readonly marker: string | undefined;
  readonly lang: string;
  readonly code: string;
}

/** The fenced blocks of the guide, each with the `<!-- getting-started: ... -->` marker right above it. */
function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /(?:<!-- getting-started: (.+?) -->\n)?```(\w*)\n([\s\S]*?)\n```/g;
  for (const match of markdown.matchAll(fence)) {
    blocks.push({ marker: match[1], lang: match[2] ?? '', code: match[3] ?? '' });
  }
  return blocks;
}

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `set -euo pipefail\n${script}`],
      { cwd: ROOT, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The part of an AdmissionReview answer the test reads. */
interface AdmissionAnswer {
  readonly response: { readonly allowed: boolean; readonly status?: { readonly message?: string } };
}

function post(url: string, ca: string, body: unknown): Promise<{ status: number; json: AdmissionAnswer }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      { method: 'POST', ca, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

function podReview(pod: unknown) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '0d5c5d6e-0000-4000-8000-000000000001',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'default',
      operation: 'CREATE',
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters'] },
      object: pod,
      dryRun: false,
    },
  };
}

// jest collects tests synchronously: the guide is read before the suites are defined.
const blocks = blocksOf(readFileSync(GUIDE, 'utf8'));
const shellBlocks = blocks.filter((block) => block.lang === 'sh');
const runBlocks = shellBlocks.filter((block) => block.marker === 'run');

describe('docs/getting-started.md', () => {
  it('says how every sh block is tested: run here, or which step stands in for it', () => {
    expect(shellBlocks.length).toBeGreaterThan(5);
    for (const block of shellBlocks) {
      expect({ block: block.code, marker: block.marker }).toEqual({
        block: block.code,
        marker: expect.stringMatching(/^(run|not run: .{20,})$/),
      });
    }
  });

  it('shows examples/getting-started/policy.yaml as it is, without its comment', async () => {
    const example = (await readFile(EXAMPLE, 'utf8')).replace(/^#.*\n/gm, '').trim();
    expect(blocks.filter((block) => block.lang === 'yaml').map((block) => block.code.trim())).toContain(example);
  });
});

describeWithNotary('docs/getting-started.md against a real Notary', () => {
  let dir: string;
  let demo: string;
  let env: NodeJS.ProcessEnv;
  let digest: string;
  let guide: { code: number; stdout: string; stderr: string };
  let serve: ChildProcess | undefined;
  const stopBlock = runBlocks.at(-1)!;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-getting-started-'));
    demo = path.join(dir, 'demo');
    const bin = path.join(dir, 'bin');
    await mkdir(bin);
    await mkdir(demo);
    // The installed CLI, as the checkout's: `notary-gate` on PATH.
    await writeFile(
      path.join(bin, 'notary-gate'),
      `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin', 'notary-gate.js')}" "$@"\n`,
    );
    await chmod(path.join(bin, 'notary-gate'), 0o755);
    // Stands in for `docker buildx imagetools inspect --raw nginx:1.27`: an image index of our own.
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${'1'.repeat(64)}`,
          size: 1234,
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    });
    await writeFile(path.join(demo, 'nginx-1.27.json'), manifest);
    digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: dir,
      DEMO: demo,
      NOTARY_PORT: String(await freePort()),
      NOTARY_SIGNER_PORT: String(await freePort()),
    };
    guide = await bash(
      runBlocks
        .slice(0, -1)
        .map((block) => block.code)
        .join('\n'),
      env,
    );
  }, 180_000);

  afterAll(async () => {
    if (serve && serve.exitCode === null) {
      const exited = new Promise((resolve) => serve!.once('exit', resolve));
      serve.kill('SIGTERM');
      await exited;
    }
    // Whatever happened above, nothing the guide started outlives the test.
    await bash(stopBlock.code, env);
    await rm(dir, { recursive: true, force: true });
  });

  it('runs every step up to the cluster without an error', () => {
    expect({ code: guide.code, stderr: guide.code === 0 ? '' : guide.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('starts the Notary on 127.0.0.1 and says how to stop it by PID', () => {
    expect(guide.stdout).toContain(`https://127.0.0.1:${env.NOTARY_PORT}\n`);
    expect(guide.stderr).toMatch(/Stop them with: kill \d+ \d+/);
  });

  it('signs the digest with the notary client and pins a root certificate naming the repository', () => {
    expect(guide.stdout).toMatch(new RegExp(`1\\.27\\s+${digest.slice(7)}\\s+\\d+\\s+targets`));
    expect(guide.stdout).toContain('subject=CN = docker.io/library/nginx');
  });

  it('lints the example policy clean', () => {
    expect(guide.stdout).toContain(`${demo}/policy.yaml: valid, 1 rule, 0 warnings`);
  });

  it('checks: the signed digest is SIGNED, the tag alone DIGEST_REQUIRED naming it, another tag NOT_SIGNED', () => {
    const lines = guide.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^allow  nginx:1\\.27@${digest}  SIGNED: `)));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^deny   nginx:1\\.27 +DIGEST_REQUIRED: .*${digest}`)),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^deny {3}nginx:1\.25 +NOT_SIGNED: /));
    expect(lines.filter((line) => line === 'exit 1')).toHaveLength(2);
    // The root is pinned: no trust-on-first-use note.
    expect(guide.stderr).not.toContain('trusts the root on first use');
  });

  it('admits the sample Pod with check -f', () => {
    expect(guide.stdout).toMatch(
      new RegExp(`Pod default/hello\\n {2}allow {2}spec\\.containers\\[0\\]\\.image {2}nginx:1\\.27@${digest}`),
    );
  });

  it('says, when a rule requires targets/releases, that the digest is signed in targets (lint warns first)', async () => {
    const policy = await readFile(path.join(demo, 'policy.yaml'), 'utf8');
    const releasesOnly = policy.replace(
      'rootKeys: ["./root.crt"]',
      'rootKeys: ["./root.crt"]\n      delegations: [targets/releases]',
    );
    expect(releasesOnly).not.toBe(policy);
    await writeFile(path.join(demo, 'releases-only.yaml'), releasesOnly);
    const linted = await bash('notary-gate lint "$DEMO/releases-only.yaml"', env);
    expect(linted.stderr).toContain('DELEGATIONS_EXCLUDE_TARGETS');
    const checked = await bash(
      `notary-gate check --json --policy "$DEMO/releases-only.yaml" nginx:1.27@${digest} nginx@${digest}`,
      env,
    );
    expect(checked.code).toBe(1);
    const [tagged, digestOnly] = JSON.parse(checked.stdout).images;
    expect(tagged).toMatchObject({ code: 'NOT_SIGNED' });
    expect(tagged.reason).toContain(
      `the tag is signed in targets (${digest}), but this rule requires targets/releases: list targets in the rule's notary.delegations to accept it`,
    );
    expect(digestOnly).toMatchObject({ code: 'NOT_SIGNED' });
    expect(digestOnly.reason).toContain('signed in targets as tag "1.27", but this rule requires targets/releases');
  });

  it("serves it: the guide's serve and webhook-config lines, on 127.0.0.1, admit the Pod and deny a tag", async () => {
    const clusterBlock = shellBlocks.find((block) => block.code.includes('notary-gate serve'))!;
    const line = (prefix: string) => clusterBlock.code.split('\n').find((l) => l.startsWith(prefix))!;
    const serveArgs = [
      'serve',
      '--self-signed',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--policy',
      `${demo}/policy.yaml`,
    ];
    expect(line('notary-gate serve')).toContain(
      'serve --self-signed --host "$HOST_IP" --port 8443 --policy "$DEMO/policy.yaml"',
    );
    serve = spawn(process.execPath, [path.join(ROOT, 'bin', 'notary-gate.js'), ...serveArgs], { cwd: ROOT, env });
    const banner = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      serve!.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/caBundle[^\n]*\n {2}\S+\n/.test(stdout)) resolve(stdout);
      });
      serve!.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stdout}`)));
    });
    await writeFile(path.join(demo, 'serve.txt'), banner);
    const port = banner.match(/listening on https:\/\/127\.0\.0\.1:(\d+)/)![1]!;
    const configure = [
      'HOST_IP=127.0.0.1',
      line('CA_BUNDLE='),
      line('notary-gate webhook-config')
        .replace(':8443', `:${port}`)
        .replace(/ \| kubectl apply -f -$/, ''),
    ].join('\n');
    const configured = await bash(configure, env);
    expect(configured.code).toBe(0);
    const webhook = parse(configured.stdout).webhooks[0];
    expect(webhook.clientConfig.url).toBe(`https://127.0.0.1:${port}/validate`);
    const ca = Buffer.from(webhook.clientConfig.caBundle, 'base64').toString('utf8');

    const pod = parse(await readFile(path.join(demo, 'pod.yaml'), 'utf8'));
    const admitted = await post(webhook.clientConfig.url, ca, podReview(pod));
    expect(admitted.status).toBe(200);
    expect(admitted.json.response).toMatchObject({ allowed: true });

    const unsigned = { ...pod, metadata: { name: 'unsigned', namespace: 'default' } };
    unsigned.spec = { containers: [{ name: 'unsigned', image: 'nginx:1.27' }] };
    const denied = await post(webhook.clientConfig.url, ca, podReview(unsigned));
    expect(denied.json.response.allowed).toBe(false);
    expect(denied.json.response.status?.message).toContain('DIGEST_REQUIRED');
  }, 60_000);

  it('stops the Notary with the last step, by the PIDs it printed', async () => {
    const pids = [...guide.stdout.matchAll(/^export NOTARY_(?:SERVER|SIGNER)_PID=(\d+)$/gm)].map((m) => Number(m[1]));
    // `eval` consumed the export lines; the script's stderr names the PIDs instead.
    const named =
      pids.length > 0
        ? pids
        : guide.stderr
            .match(/kill (\d+) (\d+)/)!
            .slice(1)
            .map(Number);
    expect(named).toHaveLength(2);
    expect(named.every(alive)).toBe(true);
    const stopped = await bash(stopBlock.code, env);
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toMatch(/stopped notary-server \d+ notary-signer \d+/);
    for (let i = 0; i < 50 && named.some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(named.some(alive)).toBe(false);
  });
});
