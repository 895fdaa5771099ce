/**
 * A real Notary v1 server for tests: notary-server (Debian package `notary`) on 127.0.0.1 with TLS from a CA made
 * here, optionally notary-signer (ECDSA timestamp keys, as Docker Hub) and token auth (an in-process token
 * endpoint), with trust data published by the real `notary` client. Every jest file starts its own on free ports
 * and stops it, by PID, in afterAll.
 */
import type { ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, run, startDaemon, stopDaemon, waitFor } from './processes';
import { startTokenEndpoint, type TokenEndpoint } from './token-endpoint';

export interface NotaryHarnessOptions {
  /** Run notary-signer as the trust service, so timestamp keys are ECDSA (default: built-in ed25519). */
  readonly signer?: boolean;
  /** Require docker-style token auth, served by an in-process token endpoint. */
  readonly tokenAuth?: { expiresInSeconds?: number; basicAuth?: { username: string; password: string } };
}

export interface NotaryHarness {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** PEM of the CA that signed the server's TLS certificate. */
  readonly caPem: string;
  readonly token: TokenEndpoint | undefined;
  /** Publishes `tags` (tag -> sha256 hex) for `gun`, in targets or in the targets/releases delegation. */
  seed(gun: string, tags: Readonly<Record<string, string>>, options?: { releases?: boolean }): Promise<void>;
  /** Deletes the GUN's trust data on the server and publishes it again under a brand-new root key. */
  reinitWithNewRoot(gun: string): Promise<void>;
  /** Rotates the GUN's root key properly: the new root is signed by the old root key too. */
  rotateRootKey(gun: string): Promise<void>;
  /** The PEM certificate of the GUN's root key (what a user pins as `rootKeys`). */
  rootCertPem(gun: string): Promise<string>;
  /** A role's metadata as the `notary` client last published or fetched it (parsed JSON). */
  clientMetadata(gun: string, role: string): Promise<TufDocument>;
  /** Runs the `notary` client against this server (for cases the helpers do not cover). */
  notary(args: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

/** The parts of a TUF metadata document the tests look at. */
export interface TufDocument {
  signed: {
    keys: Record<string, { keytype: string; keyval: { public: string } }>;
    roles: Record<string, { keyids: string[] }>;
    version: number;
  };
}

const PASSPHRASE = 'test-passphrase';
const SERVICE = 'notary-server';

export async function startNotary(options: NotaryHarnessOptions = {}): Promise<NotaryHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-harness-'));
  const children: ChildProcess[] = [];
  let token: TokenEndpoint | undefined;
  try {
    await makeCertificates(dir);
    const caPem = await readFile(path.join(dir, 'ca.crt'), 'utf8');
    if (options.tokenAuth) {
      await makeSelfSigned(dir, 'token');
      token = await startTokenEndpoint({
        keyFile: path.join(dir, 'token.key'),
        certFile: path.join(dir, 'token.crt'),
        issuer: 'notary-gate-test-issuer',
        expiresInSeconds: options.tokenAuth.expiresInSeconds ?? 300,
        basicAuth: options.tokenAuth.basicAuth,
      });
    }
    let trustService: object = { type: 'local' };
    if (options.signer) {
      const signerPort = await freePort();
      await writeJson(path.join(dir, 'signer.json'), {
        server: {
          grpc_addr: `127.0.0.1:${signerPort}`,
          tls_cert_file: 'server.crt',
          tls_key_file: 'server.key',
          client_ca_file: 'ca.crt',
        },
        storage: { backend: 'memory' },
        logging: { level: 'warn' },
      });
      children.push(startDaemon('notary-signer', ['-config', 'signer.json'], path.join(dir, 'signer.log'), dir));
      await waitFor('notary-signer', () => tcpOpen(signerPort));
      trustService = {
        type: 'remote',
        hostname: '127.0.0.1',
        port: String(signerPort),
        key_algorithm: 'ecdsa',
        tls_ca_file: 'ca.crt',
        tls_client_cert: 'server.crt',
        tls_client_key: 'server.key',
      };
    }
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    await writeJson(path.join(dir, 'server.json'), {
      server: { http_addr: `127.0.0.1:${port}`, tls_cert_file: 'server.crt', tls_key_file: 'server.key' },
      trust_service: trustService,
      storage: { backend: 'memory' },
      logging: { level: 'warn' },
      ...(token && {
        auth: {
          type: 'token',
          options: { realm: token.realm, service: SERVICE, issuer: token.issuer, rootcertbundle: 'token.crt' },
        },
      }),
    });
    children.push(startDaemon('notary-server', ['-config', 'server.json'], path.join(dir, 'server.log'), dir));
    await waitFor('notary-server', () => healthy(url, caPem));
    return new RunningHarness(dir, url, caPem, token, children, options);
  } catch (error) {
    for (const child of children.reverse()) await stopDaemon(child);
    await token?.close();
    const log = await readFile(path.join(dir, 'server.log'), 'utf8').catch(() => '');
    throw new Error(`notary harness failed to start: ${(error as Error).message}\n${log.slice(-2000)}`, {
      cause: error,
    });
  }
}

class RunningHarness implements NotaryHarness {
  /** Bumped by reinitWithNewRoot: a fresh client trust dir means `notary init` makes a fresh root key. */
  #generation = 0;
  readonly #initialized = new Set<string>();
  readonly #delegated = new Set<string>();

  constructor(
    readonly dir: string,
    readonly url: string,
    readonly caPem: string,
    readonly token: TokenEndpoint | undefined,
    readonly children: ChildProcess[],
    readonly options: NotaryHarnessOptions,
  ) {}

  get #trustDir(): string {
    return path.join(this.dir, `trust-${this.#generation}`);
  }

  async rotateRootKey(gun: string): Promise<void> {
    await this.notary(['key', 'rotate', gun, 'root'], 'yes\n');
  }

  notary(args: readonly string[], input?: string): Promise<string> {
    const basic = this.options.tokenAuth?.basicAuth;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NOTARY_ROOT_PASSPHRASE: PASSPHRASE,
      NOTARY_TARGETS_PASSPHRASE: PASSPHRASE,
      NOTARY_SNAPSHOT_PASSPHRASE: PASSPHRASE,
      NOTARY_DELEGATION_PASSPHRASE: PASSPHRASE,
      // Under token auth the client would prompt for a username without this.
      NOTARY_AUTH: Buffer.from(basic ? `${basic.username}:${basic.password}` : 'tester:tester').toString('base64'),
    };
    return run(
      'notary',
      ['-s', this.url, '--tlscacert', path.join(this.dir, 'ca.crt'), '-d', this.#trustDir, ...args],
      { env, input },
    );
  }

  async seed(gun: string, tags: Readonly<Record<string, string>>, options: { releases?: boolean } = {}): Promise<void> {
    if (!this.#initialized.has(gun)) {
      await this.notary(['init', gun]);
      await this.notary(['publish', gun]);
      this.#initialized.add(gun);
    }
    const role = options.releases ? 'targets/releases' : 'targets';
    if (options.releases && !this.#delegated.has(`${this.#generation}#${gun}`)) {
      await this.#addReleasesDelegation(gun);
      this.#delegated.add(`${this.#generation}#${gun}`);
    }
    for (const [tag, hex] of Object.entries(tags)) {
      if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`seed: ${tag} needs a sha256 hex digest, got ${hex}`);
      await this.notary(['addhash', gun, tag, '1', '--sha256', hex, '--roles', role]);
    }
    await this.notary(['publish', gun]);
  }

  async reinitWithNewRoot(gun: string): Promise<void> {
    await this.notary(['delete', gun, '--remote']);
    this.#generation++;
    this.#initialized.delete(gun);
    await this.notary(['init', gun]);
    await this.notary(['publish', gun]);
    this.#initialized.add(gun);
  }

  async clientMetadata(gun: string, role: string): Promise<TufDocument> {
    return JSON.parse(await readFile(path.join(this.#trustDir, 'tuf', gun, 'metadata', `${role}.json`), 'utf8'));
  }

  async rootCertPem(gun: string): Promise<string> {
    const root = await this.clientMetadata(gun, 'root');
    const keyId = root.signed.roles.root?.keyids[0] ?? '';
    const key = root.signed.keys[keyId];
    if (!key) throw new Error(`no root key in the client's root.json for ${gun}`);
    return Buffer.from(key.keyval.public, 'base64').toString('utf8');
  }

  async stop(): Promise<void> {
    for (const child of [...this.children].reverse()) await stopDaemon(child);
    await this.token?.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  async #addReleasesDelegation(gun: string): Promise<void> {
    const delegationDir = path.join(this.dir, `delegation-${this.#generation}`);
    await mkdir(delegationDir, { recursive: true });
    await makeSelfSigned(delegationDir, 'releases');
    await this.notary([
      'delegation',
      'add',
      gun,
      'targets/releases',
      path.join(delegationDir, 'releases.crt'),
      '--all-paths',
    ]);
    await this.notary(['publish', gun]);
    await this.notary(['key', 'import', path.join(delegationDir, 'releases.key'), '--role', 'targets/releases']);
  }
}

/** One CA and one leaf for 127.0.0.1 used for HTTPS, the signer's gRPC and mTLS between them. */
/** A test CA (`ca.crt`) and a server certificate for 127.0.0.1 (`server.crt`, `server.key`) in `dir`. */
export async function makeCertificates(dir: string): Promise<void> {
  const file = (name: string) => path.join(dir, name);
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30'],
    ...['-subj', '/CN=notary-gate-test-ca', '-keyout', file('ca.key'), '-out', file('ca.crt')],
    ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  ]);
  await run('openssl', [
    ...['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=notary-server'],
    ...['-keyout', file('server.key'), '-out', file('server.csr')],
  ]);
  await writeFile(
    file('ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  await run('openssl', [
    ...['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key')],
    ...['-CAcreateserial', '-days', '30', '-extfile', file('ext.cnf'), '-out', file('server.crt')],
  ]);
  new X509Certificate(await readFile(file('server.crt'))); // fail early on a broken certificate
}

/** A self-signed P-256 key and certificate `<name>.key` / `<name>.crt` (token signing key, delegation key). */
export async function makeSelfSigned(dir: string, name: string): Promise<void> {
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '365'],
    ...['-subj', `/CN=${name}`, '-keyout', path.join(dir, `${name}.key`), '-out', path.join(dir, `${name}.crt`)],
  ]);
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, JSON.stringify(value, null, 2));
}

function healthy(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${url}/_notary_server/health`, { ca, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
