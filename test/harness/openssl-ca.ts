/**
 * A real CA's revocation service for tests: an `openssl ca` database (index.txt) for a CA the test issued,
 * `openssl ca -gencrl` for CRLs, and `openssl ocsp -reqin/-respout` answering OCSP requests from that database.
 * `openssl ocsp -port` would listen on every interface, so the HTTP side is a node server on 127.0.0.1 that hands
 * each request to openssl and serves its answer (and the CRLs), counting requests for the cache tests.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { type FakeServer, startFakeServer } from './fake-server';
import { run } from './processes';
import type { IssuedCertificate } from './x509-kit';

export class OpensslCa {
  private constructor(
    private readonly dir: string,
    readonly ca: IssuedCertificate,
  ) {}

  static async create(dir: string, ca: IssuedCertificate): Promise<OpensslCa> {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'ca.pem'), ca.pem);
    await writeFile(path.join(dir, 'ca.key'), ca.privateKeyPem);
    await writeFile(path.join(dir, 'index.txt'), '');
    await writeFile(path.join(dir, 'serial'), '01\n');
    await writeFile(path.join(dir, 'crlnumber'), '1000\n');
    const config = [
      '[ca]',
      'default_ca = test_ca',
      '[test_ca]',
      `database = ${path.join(dir, 'index.txt')}`,
      `new_certs_dir = ${dir}`,
      `certificate = ${path.join(dir, 'ca.pem')}`,
      `private_key = ${path.join(dir, 'ca.key')}`,
      `serial = ${path.join(dir, 'serial')}`,
      `crlnumber = ${path.join(dir, 'crlnumber')}`,
      'default_md = sha256',
      'default_crl_days = 1',
      'policy = any_policy',
      'unique_subject = no',
      '[any_policy]',
      'commonName = optional',
      '',
    ].join('\n');
    await writeFile(path.join(dir, 'ca.cnf'), config);
    return new OpensslCa(dir, ca);
  }

  /** Records `certificate` as valid in the CA database (OCSP then answers good). */
  async markValid(certificate: IssuedCertificate): Promise<void> {
    await run('openssl', ['ca', '-config', this.#file('ca.cnf'), '-valid', await this.#write(certificate.pem)]);
  }

  async revoke(certificate: IssuedCertificate, reason = 'keyCompromise'): Promise<void> {
    const pem = await this.#write(certificate.pem);
    await run('openssl', ['ca', '-config', this.#file('ca.cnf'), '-revoke', pem, '-crl_reason', reason]);
  }

  /** A DER CRL from the database, valid for `hours`. */
  async crl(hours = 24): Promise<Uint8Array> {
    const pem = this.#file(`${randomUUID()}.crl.pem`);
    const der = `${pem}.der`;
    await run('openssl', ['ca', '-config', this.#file('ca.cnf'), '-gencrl', '-crlhours', String(hours), '-out', pem]);
    await run('openssl', ['crl', '-in', pem, '-outform', 'DER', '-out', der]);
    return new Uint8Array(await readFile(der));
  }

  /** openssl's OCSP answer to a DER request; signed by the CA, or by `responder` (a delegated responder). */
  async answerOcsp(
    requestDer: Uint8Array,
    options: { responder?: IssuedCertificate; nextUpdate?: boolean } = {},
  ): Promise<Uint8Array> {
    const request = this.#file(`${randomUUID()}.req`);
    const response = `${request}.resp`;
    await writeFile(request, requestDer);
    const signer = options.responder ?? this.ca;
    const args = ['ocsp', '-index', this.#file('index.txt'), '-CA', this.#file('ca.pem')];
    args.push('-rsigner', await this.#write(signer.pem), '-rkey', await this.#write(signer.privateKeyPem));
    args.push('-reqin', request, '-respout', response);
    if (options.nextUpdate !== false) args.push('-ndays', '1');
    await run('openssl', args);
    return new Uint8Array(await readFile(response));
  }

  #file(name: string): string {
    return path.join(this.dir, name);
  }

  async #write(content: string): Promise<string> {
    const file = this.#file(`${randomUUID()}.pem`);
    await writeFile(file, content);
    return file;
  }
}

export interface RevocationServer extends FakeServer {
  /** Serves `der` at `/crl/<name>`. */
  publishCrl(name: string, der: Uint8Array): void;
  /** How `/ocsp` answers: through openssl by default; `'hang'` never answers; `'error'` answers 500. */
  ocspMode: 'openssl' | 'hang' | 'error' | 'no-next-update' | { responder: IssuedCertificate };
}

/** OCSP at `<url>/ocsp` (GET, RFC 6960 appendix A.1) and CRLs at `<url>/crl/<name>`, on 127.0.0.1. */
export async function startRevocationServer(ca: OpensslCa): Promise<RevocationServer> {
  const crls = new Map<string, Uint8Array>();
  let server: RevocationServer;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/crl/')) {
      const crl = crls.get(url.pathname.slice('/crl/'.length));
      if (!crl) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from(crl));
      return;
    }
    if (!url.pathname.startsWith('/ocsp')) {
      res.writeHead(404).end();
      return;
    }
    const mode = server.ocspMode;
    if (mode === 'hang') return;
    if (mode === 'error') {
      res.writeHead(500).end();
      return;
    }
    const requestDer = new Uint8Array(Buffer.from(decodeURIComponent(url.pathname.slice('/ocsp/'.length)), 'base64'));
    const options =
      mode === 'no-next-update' ? { nextUpdate: false } : typeof mode === 'object' ? { responder: mode.responder } : {};
    ca.answerOcsp(requestDer, options).then(
      (answer) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from(answer)),
      () => res.writeHead(500).end(),
    );
  };
  const fake = await startFakeServer(handler);
  server = Object.assign(fake, {
    publishCrl: (name: string, der: Uint8Array) => {
      crls.set(name, der);
    },
    ocspMode: 'openssl' as RevocationServer['ocspMode'],
  });
  return server;
}
