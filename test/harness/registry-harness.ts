/**
 * A real OCI registry for tests: the Debian `docker-registry` (distribution 2.8) on 127.0.0.1 with TLS from a CA
 * made here, with htpasswd Basic auth or docker token auth (the in-process token endpoint of token-endpoint.ts),
 * filled by the real `skopeo` from OCI layouts the tests build (oci-layout.ts). Every jest file starts its own on
 * a free port and stops it, by PID, in afterAll.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeCertificates, makeSelfSigned } from './notary-harness';
import { freePort, run, startDaemon, stopDaemon, waitFor } from './processes';
import { startTokenEndpoint, type TokenEndpoint } from './token-endpoint';

export interface RegistryHarness {
  /** `127.0.0.1:<port>`: the host part of image names. */
  readonly host: string;
  readonly url: string;
  /** PEM of the CA that signed the registry's TLS certificate. */
  readonly caPem: string;
  /** The user the registry (or its token endpoint) accepts. */
  readonly credentials: { username: string; password: string };
  readonly token: TokenEndpoint | undefined;
  /** `skopeo copy` from an OCI layout (`oci:DIR:TAG`) to `repository:tag`; `all` copies every platform of an index. */
  push(
    layoutDir: string,
    layoutTag: string,
    destination: string,
    options?: { format?: 'oci' | 'v2s2'; all?: boolean },
  ): Promise<void>;
  /** The digest skopeo reports for `repository:tag` (what `inspect` must print). */
  skopeoDigest(reference: string): Promise<string>;
  stop(): Promise<void>;
}

export const REGISTRY_SERVICE = 'notary-gate-test-registry';

export async function startRegistry(options: { auth: 'htpasswd' | 'token' }): Promise<RegistryHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-registry-'));
  const credentials = { username: 'puller', password: randomBytes(12).toString('hex') };
  let child: ChildProcess | undefined;
  let token: TokenEndpoint | undefined;
  try {
    await makeCertificates(dir);
    const caPem = await readFile(path.join(dir, 'ca.crt'), 'utf8');
    await mkdir(path.join(dir, 'certs'));
    await writeFile(path.join(dir, 'certs', 'ca.crt'), caPem); // skopeo's --cert-dir layout
    let auth: object;
    if (options.auth === 'htpasswd') {
      await writeFile(path.join(dir, 'htpasswd'), `${credentials.username}:${await bcrypt(credentials.password)}\n`);
      auth = { htpasswd: { realm: 'notary-gate-test', path: path.join(dir, 'htpasswd') } };
    } else {
      await makeSelfSigned(dir, 'token');
      token = await startTokenEndpoint({
        keyFile: path.join(dir, 'token.key'),
        certFile: path.join(dir, 'token.crt'),
        issuer: 'notary-gate-test-issuer',
        expiresInSeconds: 300,
        basicAuth: credentials,
      });
      auth = {
        token: {
          realm: token.realm,
          service: REGISTRY_SERVICE,
          issuer: 'notary-gate-test-issuer',
          rootcertbundle: path.join(dir, 'token.crt'),
        },
      };
    }
    const port = await freePort();
    const config = {
      version: 0.1,
      log: { level: 'warn', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: path.join(dir, 'data') }, delete: { enabled: true } },
      http: {
        addr: `127.0.0.1:${port}`,
        tls: { certificate: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key') },
      },
      auth,
    };
    // JSON is YAML: the registry reads this file as its YAML configuration.
    await writeFile(path.join(dir, 'config.yml'), JSON.stringify(config));
    child = startDaemon(
      'docker-registry',
      ['serve', path.join(dir, 'config.yml')],
      path.join(dir, 'registry.log'),
      dir,
    );
    const url = `https://127.0.0.1:${port}`;
    await waitFor('docker-registry', () => answers(`${url}/v2/`, caPem));
    const creds = `${credentials.username}:${credentials.password}`;
    const started = child;
    return {
      host: `127.0.0.1:${port}`,
      url,
      caPem,
      credentials,
      token,
      async push(layoutDir, layoutTag, destination, pushOptions = {}) {
        await run('skopeo', [
          'copy',
          ...['--dest-cert-dir', path.join(dir, 'certs'), '--dest-creds', creds],
          ...(pushOptions.format ? ['--format', pushOptions.format] : []),
          ...(pushOptions.all ? ['--all'] : []),
          `oci:${layoutDir}:${layoutTag}`,
          `docker://127.0.0.1:${port}/${destination}`,
        ]);
      },
      async skopeoDigest(reference) {
        const out = await run('skopeo', [
          'inspect',
          ...['--cert-dir', path.join(dir, 'certs'), '--creds', creds, '--raw'],
          `docker://127.0.0.1:${port}/${reference}`,
        ]);
        const { createHash } = await import('node:crypto');
        return `sha256:${createHash('sha256').update(out).digest('hex')}`;
      },
      async stop() {
        await stopDaemon(started);
        await token?.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopDaemon(child);
    await token?.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A bcrypt hash (the only htpasswd format distribution accepts), by libc's crypt(3) through perl. */
async function bcrypt(password: string): Promise<string> {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const salt = Array.from(randomBytes(21), (byte) => alphabet[byte % 64]).join('');
  const hash = await run('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$04$${salt}.`]);
  if (!hash.startsWith('$2b$04$')) throw new Error('this perl/libc cannot make bcrypt hashes for htpasswd');
  return hash;
}

/** Whether the registry answers `/v2/` at all (401 counts: it is up and asking for credentials). */
function answers(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(url, { ca, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 || res.statusCode === 401);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}
