import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { promisify } from 'node:util';
import { TrustError } from '../../../shared/errors';
import { NOTARY_ORIGIN } from '../../../shared/notary/origin';
import { verifiedByCaAlone } from '../../../shared/registry/ca-only-verification';
import { NodeHttpTransport } from '../../../shared/registry/http';

const run = promisify(execFile);

/**
 * Certificates made with openssl: CA "a" (the policy's caFile), CA "b" (what the tests make the "default roots"),
 * CA "c" (trusted by nobody), and servers issued by them.
 */
describe('servers named with an extra CA: verified against that CA alone, else as OpenSSL with the roots decides', () => {
  let dir: string;
  const pem: Record<string, string> = {};
  const servers: https.Server[] = [];
  const file = (name: string) => path.join(dir, name);

  async function makeCa(name: string, extensions = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign') {
    await writeFile(file(`${name}.cnf`), `[req]\ndistinguished_name=dn\n[dn]\n[v3]\n${extensions}\n`);
    await run('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'],
      ...['-subj', `/CN=test-ca-${name}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`)],
      ...['-config', file(`${name}.cnf`), '-extensions', 'v3'],
    ]);
    pem[name] = await readFile(file(`${name}.crt`), 'utf8');
  }

  async function issue(name: string, ca: string, extensions: string): Promise<void> {
    await run('openssl', [
      ...['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`],
      ...['-keyout', file(`${name}.key`), '-out', file(`${name}.csr`)],
    ]);
    await writeFile(file(`${name}.ext`), `${extensions}\n`);
    await run('openssl', [
      ...['x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`)],
      ...['-CAcreateserial', '-days', '2', '-extfile', file(`${name}.ext`), '-out', file(`${name}.crt`)],
    ]);
    pem[name] = await readFile(file(`${name}.crt`), 'utf8');
  }

  async function serve(
    name: string,
  ): Promise<{ url: string; requests: () => number; connections: () => number; tcpConnections: () => number }> {
    let requests = 0;
    let connections = 0;
    let tcpConnections = 0;
    const server = https.createServer(
      { key: await readFile(file(`${name}.key`)), cert: await readFile(file(`${name}.crt`)) },
      (_req, res) => {
        requests++;
        // Slow enough that parallel requests overlap.
        setTimeout(() => res.end('{"signed":{}}'), 20);
      },
    );
    server.on('secureConnection', () => connections++);
    server.on('connection', () => tcpConnections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return {
      url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/x`,
      requests: () => requests,
      connections: () => connections,
      tcpConnections: () => tcpConnections,
    };
  }

  const SERVER = 'subjectAltName=IP:127.0.0.1\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-ca-only-'));
    await makeCa('a');
    await makeCa('b');
    await makeCa('c');
    await makeCa(
      'constrained',
      'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\nnameConstraints=critical,permitted;IP:10.0.0.0/255.0.0.0',
    );
    await makeCa('self', 'basicConstraints=critical,CA:TRUE\nsubjectAltName=IP:127.0.0.1');
    await issue('by-a', 'a', SERVER);
    await issue('by-b', 'b', SERVER);
    await issue('by-c', 'c', SERVER);
    await issue('by-a-other-name', 'a', 'subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth');
    await issue('by-a-client-only', 'a', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=clientAuth');
    await issue('by-a-odd-critical', 'a', `${SERVER}\n1.2.3.4=critical,ASN1:NULL`);
    await issue('by-constrained', 'constrained', SERVER);
  }, 60_000);
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await rm(dir, { recursive: true, force: true });
  });

  /** A transport whose "default roots" are CA b, counting how often it needed them. */
  function transport(caAlone: 'openssl' | 'rules') {
    let rootsUsed = 0;
    const http = new NodeHttpTransport({
      caAlone,
      rootsAndCa: (ca) => {
        rootsUsed++;
        return createSecureContext({ ca: [pem.b!, ca] });
      },
    });
    return { http, rootsUsed: () => rootsUsed };
  }
  const get = (http: NodeHttpTransport, url: string, ca: string) =>
    http.request({ url, origin: NOTARY_ORIGIN, maxBytes: 1000, timeoutMs: 5_000, ca });
  const codeOf = (pending: Promise<unknown>) =>
    pending.then(
      () => 'ok',
      (error: unknown) => (error instanceof TrustError ? error.code : String(error)),
    );

  // OpenSSL with a context that trusts the CA alone (Node.js 22+), and the rules without one (Node.js 20).
  describe.each(['openssl', 'rules'] as const)('over the wire, the CA alone verified by %s', (caAlone) => {
    it('a server the CA issued for is verified without the default roots, on one kept-alive connection', async () => {
      const server = await serve('by-a');
      const { http, rootsUsed } = transport(caAlone);
      try {
        expect((await get(http, server.url, pem.a!)).status).toBe(200);
        expect((await get(http, server.url, pem.a!)).status).toBe(200);
        expect(rootsUsed()).toBe(0);
        expect(server.requests()).toBe(2);
      } finally {
        http.close();
      }
    });

    it('a caFile of several certificates: a server of any of them is verified the same way', async () => {
      const server = await serve('by-a');
      const { http, rootsUsed } = transport(caAlone);
      try {
        expect((await get(http, server.url, `${pem.c}${pem.a}`)).status).toBe(200);
        expect(rootsUsed()).toBe(0);
      } finally {
        http.close();
      }
    });

    it('a self-signed server named with its own certificate as the CA is verified the same way', async () => {
      const server = await serve('self');
      const { http, rootsUsed } = transport(caAlone);
      try {
        expect((await get(http, server.url, pem.self!)).status).toBe(200);
        expect(rootsUsed()).toBe(0);
      } finally {
        http.close();
      }
    });

    it('a server of the default roots is asked again with them (once per origin) and admitted', async () => {
      const server = await serve('by-b');
      const { http, rootsUsed } = transport(caAlone);
      try {
        expect((await get(http, server.url, pem.a!)).status).toBe(200);
        expect((await get(http, server.url, pem.a!)).status).toBe(200);
        expect(rootsUsed()).toBe(1);
        expect(server.requests()).toBe(2);
      } finally {
        http.close();
      }
    });

    it('many parallel requests share at most maxSockets (16) connections, as with a plain https agent', async () => {
      const server = await serve('by-a');
      const { http } = transport(caAlone);
      try {
        const answers = await Promise.all(Array.from({ length: 40 }, () => get(http, server.url, pem.a!)));
        expect(answers.every((answer) => answer.status === 200)).toBe(true);
        expect(server.connections()).toBeLessThanOrEqual(16);
        expect(server.requests()).toBe(40);
      } finally {
        http.close();
      }
    });

    it('many parallel requests to a server of the default roots all get through (none left waiting)', async () => {
      const server = await serve('by-b');
      const { http, rootsUsed } = transport(caAlone);
      try {
        const answers = await Promise.all(Array.from({ length: 40 }, () => get(http, server.url, pem.a!)));
        expect(answers.every((answer) => answer.status === 200)).toBe(true);
        expect(rootsUsed()).toBe(1);
        expect(server.requests()).toBe(40);
      } finally {
        http.close();
      }
    });

    it.each([
      ['issued by a CA nobody trusts', 'by-c'],
      ['for another host name', 'by-a-other-name'],
      ['for TLS clients only', 'by-a-client-only'],
      ['of a CA whose name constraints exclude it', 'by-constrained'],
    ])('a server %s is refused, and never receives the request', async (_what, name) => {
      const server = await serve(name);
      const ca = name === 'by-constrained' ? pem.constrained! : pem.a!;
      const { http } = transport(caAlone);
      try {
        expect(await codeOf(get(http, server.url, ca))).toBe('NOTARY_UNREACHABLE');
        expect(server.requests()).toBe(0);
      } finally {
        http.close();
      }
    });
  });

  describe('the servers remembered as needing the default roots are bounded (maxServersNeedingRoots)', () => {
    // Each CA-alone attempt is a connection of its own (closed when the CA alone does not verify the server).
    const transportKeeping = (maxServersNeedingRoots: number) =>
      new NodeHttpTransport({
        caAlone: 'rules',
        maxServersNeedingRoots,
        rootsAndCa: (ca) => createSecureContext({ ca: [pem.b!, ca] }),
      });

    it('at the bound: a server stays remembered and goes straight to the roots', async () => {
      const first = await serve('by-b');
      const http = transportKeeping(1);
      try {
        expect((await get(http, first.url, pem.a!)).status).toBe(200);
        expect((await get(http, first.url, pem.a!)).status).toBe(200);
        expect(first.tcpConnections()).toBe(2); // one CA-alone handshake, one kept-alive connection with the roots
      } finally {
        http.close();
      }
    });

    it('one past the bound: the oldest server is forgotten and tried against the CA alone again', async () => {
      const first = await serve('by-b');
      const second = await serve('by-b');
      const http = transportKeeping(1);
      try {
        expect((await get(http, first.url, pem.a!)).status).toBe(200);
        expect((await get(http, second.url, pem.a!)).status).toBe(200);
        expect((await get(http, first.url, pem.a!)).status).toBe(200);
        expect(first.tcpConnections()).toBe(3);
        expect(second.tcpConnections()).toBe(2);
      } finally {
        http.close();
      }
    });
  });

  describe('verifiedByCaAlone (what it accepts without OpenSSL)', () => {
    const der = (name: string) => new X509Certificate(pem[name]!).raw;
    const leaf = (name: string) => new X509Certificate(pem[name]!);
    const now = () => new Date(leaf('by-a').validFrom).getTime() + 60_000;

    it('accepts a leaf of the CA for its host name, within both validity windows', () => {
      expect(verifiedByCaAlone(der('by-a'), der('a'), '127.0.0.1', now())).toBe(true);
      expect(verifiedByCaAlone(der('self'), der('self'), '127.0.0.1', now())).toBe(true);
    });

    it('leaves to OpenSSL anything outside its rules', () => {
      const later = new Date(leaf('by-a').validTo).getTime() + 1;
      const earlier = new Date(leaf('by-a').validFrom).getTime() - 1;
      expect(verifiedByCaAlone(der('by-a'), der('a'), '127.0.0.1', later)).toBe(false);
      expect(verifiedByCaAlone(der('by-a'), der('a'), '127.0.0.1', earlier)).toBe(false);
      expect(verifiedByCaAlone(der('by-a'), der('a'), '127.0.0.2', now())).toBe(false);
      expect(verifiedByCaAlone(der('by-a'), der('a'), 'localhost', now())).toBe(false);
      expect(verifiedByCaAlone(der('by-b'), der('a'), '127.0.0.1', now())).toBe(false);
      expect(verifiedByCaAlone(der('by-a-client-only'), der('a'), '127.0.0.1', now())).toBe(false);
      expect(verifiedByCaAlone(der('by-a-odd-critical'), der('a'), '127.0.0.1', now())).toBe(false);
      expect(verifiedByCaAlone(der('by-constrained'), der('constrained'), '127.0.0.1', now())).toBe(false);
      // A CA certificate is no server certificate's issuer unless it is that server's own.
      expect(verifiedByCaAlone(der('a'), der('b'), '127.0.0.1', now())).toBe(false);
      expect(verifiedByCaAlone(Buffer.from('not a certificate'), der('a'), '127.0.0.1', now())).toBe(false);
    });
  });
});
