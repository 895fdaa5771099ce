import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const POD = 'test/fixtures/admission/pod-create.json';
const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';
const ALLOW_DOCKER_HUB = 'rules: [{ match: ["docker.io/**"], action: allow }]';

function cli(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [path.join(ROOT, 'bin', 'notary-gate.js'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.input ?? '');
  });
}

describe('notary-gate review', () => {
  it('prints the AdmissionReview response the webhook returns, and exits 0 when admitted', async () => {
    const { code, stdout, stderr } = await cli(['review', POD], { env: { POLICY: ALLOW_DOCKER_HUB } });
    expect(code).toBe(0);
    // Verbatim: the compact JSON body the handler answers, nothing else on stdout.
    expect(stdout).toBe(
      `${JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: UID, allowed: true } })}\n`,
    );
    expect(stderr).toContain('"event":"admission"');
  });

  it('exits 1 and prints the 403 denial under the built-in default policy', async () => {
    const { code, stdout } = await cli(['review', POD]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).response).toMatchObject({
      uid: UID,
      allowed: false,
      status: { code: 403, reason: 'Forbidden' },
    });
  });

  it('reads standard input and answers a v1beta1 review in v1beta1, in audit mode from POLICY', async () => {
    const input = readFileSync(path.join(ROOT, 'test/fixtures/admission/pod-create-v1beta1.json'), 'utf8');
    const { code, stdout } = await cli(['review', '-'], { input, env: { POLICY: 'mode: audit' } });
    expect(code).toBe(0);
    const review = JSON.parse(stdout);
    expect(review.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(review.response).toMatchObject({ allowed: true, auditAnnotations: { decision: 'audit-deny' } });
    expect(review.response.warnings).toHaveLength(3);
  });

  it('answers a review without request.resource (older clusters and tools) from its kind, not with exit 2', async () => {
    const review = JSON.parse(readFileSync(path.join(ROOT, POD), 'utf8'));
    delete review.request.resource;
    const { code, stdout } = await cli(['review', '-'], {
      input: JSON.stringify(review),
      env: { POLICY: ALLOW_DOCKER_HUB },
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).response).toEqual({ uid: UID, allowed: true });
  });

  it('exits 2 with one line on stderr for input that is not an AdmissionReview', async () => {
    const { code, stdout, stderr } = await cli(['review', '-'], { input: '{"kind":"Pod"}' });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^notary-gate: INVALID_ADMISSION_REVIEW: .+\n$/);
  });
});
