import { execFile } from 'node:child_process';
import path from 'node:path';

/**
 * README's quick start: `npm start` serves the embedded defaults and prints a curl posting the sample Pod
 * (test/fixtures/admission/pod-create.json); the defaults deny it, and examples/policy-allow-deny.yaml admits it
 * (`npm start -- --policy examples/policy-allow-deny.yaml`). `review` answers exactly as `serve` does.
 */
const ROOT = path.join(__dirname, '..', '..');
const SAMPLE = 'test/fixtures/admission/pod-create.json';

function review(args: string[]): Promise<{ code: number; answer: { response: Record<string, unknown> } }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin', 'notary-gate.js'), 'review', ...args, SAMPLE],
      { cwd: ROOT, env: { PATH: process.env.PATH }, timeout: 60_000 },
      (error, stdout) => {
        try {
          resolve({ code: error ? Number(error.code ?? 1) : 0, answer: JSON.parse(stdout) });
        } catch (parseError) {
          reject(parseError);
        }
      },
    );
  });
}

describe("README's sample Pod", () => {
  it('is denied on the embedded defaults, each of its three images named', async () => {
    const { answer } = await review([]);
    expect(answer.response.allowed).toBe(false);
    const message = String((answer.response.status as { message?: string }).message);
    for (const image of ['nginx:1.25.3', 'busybox:1.36', 'docker.io/fluent/fluent-bit:2.2.2@sha256:']) {
      expect(message).toContain(image);
    }
  });

  it('is admitted under examples/policy-allow-deny.yaml', async () => {
    const { answer } = await review(['--policy', 'examples/policy-allow-deny.yaml']);
    expect(answer.response).toMatchObject({ allowed: true });
  });
});
