import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSelfSignedCertificate } from '../../functions/self-signed';

const ROOT = path.join(__dirname, '..', '..');
const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';
const TOKEN = 'serve-test-token-0123456789';

interface Served {
  child: ChildProcess;
  stdout: string;
  url: string;
  curl: string;
}

/** Starts `notary-gate serve` on a free port and waits for its banner (the last line printed is the curl or caBundle). */
function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'notary-gate.js'), 'serve', '--port', '0', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const curl = stdout.match(/^ {2}(curl .+)$/m)?.[1];
      const url = stdout.match(/listening on (\S+)/)?.[1];
      const complete = !args.includes('--self-signed') || /caBundle[^\n]*\n {2}\S+\n/.test(stdout);
      if (curl && url && complete) resolve({ child, stdout, url, curl });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before printing its URL: ${stdout}`)));
  });
}

async function stop(served: Served | undefined): Promise<void> {
  if (!served || served.child.exitCode !== null) return;
  served.child.removeAllListeners('exit');
  const exited = new Promise((resolve) => served.child.once('exit', resolve));
  served.child.kill('SIGTERM');
  await exited;
}

/** Runs the printed curl command as a user would paste it (from the repository root). */
function runPrintedCurl(curl: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'sh',
      ['-c', curl],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, timeout: 30_000 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
}

describe('notary-gate serve', () => {
  describe('on embedded defaults (what npm start runs)', () => {
    let served: Served | undefined;
    beforeAll(async () => {
      served = await serve([]);
    }, 60_000);
    afterAll(() => stop(served));

    it('prints its URL and a curl that gets an AdmissionReview back for the repository sample', async () => {
      expect(served!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(served!.curl).toContain('@test/fixtures/admission/pod-create.json');
      const review = JSON.parse(await runPrintedCurl(served!.curl));
      // The built-in policy denies every image until a policy names what to trust.
      expect(review).toMatchObject({
        kind: 'AdmissionReview',
        response: { uid: UID, allowed: false, status: { code: 403 } },
      });
    });

    it('answers /healthz', async () => {
      const response = await fetch(`${served!.url}/healthz`);
      expect(response.status).toBe(200);
    });

    it('answers a body it cannot parse with 400 and a JSON reason', async () => {
      const response = await fetch(`${served!.url}/validate`, {
        method: 'POST',
        body: 'nope',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      await expect(response.json()).resolves.toMatchObject({ error: 'INVALID_ADMISSION_REVIEW' });
    });

    it('refuses a body over the limit with 413 without buffering all of it', async () => {
      const body = Buffer.alloc(8 * 1024 * 1024, 'x');
      const response = await fetch(`${served!.url}/validate`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(413);
      await expect(response.json()).resolves.toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
    });
  });

  describe('with --self-signed and a webhook token', () => {
    let served: Served | undefined;
    beforeAll(async () => {
      served = await serve(['--self-signed'], { WEBHOOK_TOKEN: TOKEN, POLICY: 'defaultAction: allow' });
    }, 60_000);
    afterAll(() => stop(served));

    it('serves HTTPS with a certificate the printed caBundle verifies', async () => {
      const caBundle = served!.stdout.match(/caBundle[^\n]*\n {2}(\S+)/)![1]!;
      const ca = Buffer.from(caBundle, 'base64').toString('utf8');
      expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        https
          .get(`${served!.url}/healthz`, { ca }, (res) => {
            res.resume();
            resolve(res.statusCode);
          })
          .on('error', reject);
      });
      expect(status).toBe(200);
    });

    it('prints a curl that uses the token, and admits under the policy from POLICY', async () => {
      expect(served!.curl).toContain('/validate/$WEBHOOK_TOKEN');
      expect(served!.stdout).not.toContain(TOKEN);
      const review = JSON.parse(await runPrintedCurl(served!.curl, { WEBHOOK_TOKEN: TOKEN }));
      expect(review.response).toEqual({ uid: UID, allowed: true });
    });

    it('refuses a request without the token with 403', async () => {
      const output = await runPrintedCurl(
        served!.curl.replace(/^curl -sk? /, 'curl -sk -o /dev/null -w %{http_code} '),
        { WEBHOOK_TOKEN: 'wrong-token-0123456789' },
      );
      expect(output).toBe('403');
    });
  });

  describe('with --tls-cert and --tls-key', () => {
    let served: Served | undefined;
    let dir: string;
    let cert: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-serve-tls-'));
      const pair = await generateSelfSignedCertificate(['127.0.0.1']);
      cert = pair.cert;
      await writeFile(path.join(dir, 'cert.pem'), pair.cert);
      await writeFile(path.join(dir, 'key.pem'), pair.key);
      served = await serve(['--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem')]);
    }, 60_000);
    afterAll(async () => {
      await stop(served);
      await rm(dir, { recursive: true, force: true });
    });

    it('serves HTTPS with the given certificate', async () => {
      expect(served!.url).toMatch(/^https:/);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        https
          .get(`${served!.url}/healthz`, { ca: cert }, (res) => {
            res.resume();
            resolve(res.statusCode);
          })
          .on('error', reject);
      });
      expect(status).toBe(200);
    });
  });

  it('refuses --tls-cert without --tls-key with exit 2', async () => {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        [path.join(ROOT, 'bin', 'notary-gate.js'), 'serve', '--tls-cert', 'x.pem'],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH },
        },
      );
      child.once('exit', resolve);
    });
    expect(code).toBe(2);
  });
});
