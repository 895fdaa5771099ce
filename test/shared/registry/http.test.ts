import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TrustError } from '../../../shared/errors';
import { NOTARY_ORIGIN } from '../../../shared/notary/origin';
import { getFollowingSameOriginRedirects, NodeHttpTransport } from '../../../shared/registry/http';
import { endlessBody, type FakeServer, freePortUrl, startFakeServer } from '../../harness/fake-server';
import { run } from '../../harness/processes';

const transport = new NodeHttpTransport();
const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(() => transport.close());

async function serve(handler: Parameters<typeof startFakeServer>[0]): Promise<FakeServer> {
  const server = await startFakeServer(handler);
  servers.push(server);
  return server;
}

const get = (url: string, extra: Partial<Parameters<NodeHttpTransport['request']>[0]> = {}) =>
  transport.request({ url, origin: NOTARY_ORIGIN, maxBytes: 1024, timeoutMs: 2_000, ...extra });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TrustError);
    return (error as TrustError).code;
  }
  throw new Error('expected a TrustError');
}

describe('the registry HTTP transport', () => {
  describe('when the server answers', () => {
    it('returns the status, lower-case headers and the body bytes', async () => {
      const server = await serve((_req, res) => res.writeHead(404, { 'X-Thing': 'yes' }).end('{"errors":[]}'));
      const response = await get(`${server.url}/v2/x/_trust/tuf/root.json`);
      expect(response.status).toBe(404);
      expect(response.headers['x-thing']).toBe('yes');
      expect(Buffer.from(response.body).toString()).toBe('{"errors":[]}');
    });

    it('sends the headers it is given', async () => {
      const server = await serve((_req, res) => res.end('{}'));
      await get(server.url, { headers: { authorization: 'Bearer abc' } });
      expect(server.requests[0]?.headers.authorization).toBe('Bearer abc');
    });
  });

  describe('HEAD', () => {
    it('sends HEAD and returns the headers with an empty body, whatever Content-Length says', async () => {
      const server = await serve((_req, res) => res.writeHead(200, { 'content-length': '5000' }).end());
      const response = await get(server.url, { method: 'HEAD', maxBytes: 100 });
      expect(server.requests[0]?.method).toBe('HEAD');
      expect(response.headers['content-length']).toBe('5000');
      expect(response.body).toHaveLength(0);
    });
  });

  describe('errors are labelled with the origin the caller names', () => {
    const OTHER_ORIGIN = { ...NOTARY_ORIGIN, name: 'Test origin', unreachableCode: 'NOT_SIGNED' as const };

    it("uses the origin's unreachable code and name", async () => {
      const pending = get(await freePortUrl(), { origin: OTHER_ORIGIN });
      await expect(pending).rejects.toMatchObject({ code: 'NOT_SIGNED', message: /^Cannot reach Test origin at / });
    });

    it("uses the origin's name for refused redirects", async () => {
      const server = await serve((_req, res) => res.writeHead(302, { location: 'https://elsewhere.example/' }).end());
      const pending = getFollowingSameOriginRedirects(transport, {
        url: server.url,
        origin: OTHER_ORIGIN,
        maxBytes: 100,
        timeoutMs: 2_000,
      });
      await expect(pending).rejects.toThrow(/^Test origin at .* redirected to another origin/);
    });
  });

  describe('when the server is down', () => {
    it('fails with NOTARY_UNREACHABLE', async () => {
      expect(await codeOf(get(await freePortUrl()))).toBe('NOTARY_UNREACHABLE');
    });
  });

  describe('when the server never answers', () => {
    it('gives up after the per-request timeout with NOTARY_UNREACHABLE', async () => {
      const server = await serve(() => {}); // holds the request open
      expect(await codeOf(get(server.url, { timeoutMs: 150 }))).toBe('NOTARY_UNREACHABLE');
    });

    it("stops when the caller's signal aborts", async () => {
      const server = await serve(() => {});
      const controller = new AbortController();
      const pending = get(server.url, { timeoutMs: 60_000, signal: controller.signal });
      controller.abort();
      expect(await codeOf(pending)).toBe('NOTARY_UNREACHABLE');
    });
  });

  describe('when the body is too large', () => {
    it('refuses a declared Content-Length above the cap without reading the body', async () => {
      const server = await serve((_req, res) => res.writeHead(200, { 'content-length': '4096' }).end('x'.repeat(4096)));
      expect(await codeOf(get(server.url, { maxBytes: 100 }))).toBe('NOTARY_ERROR');
    });

    it('cuts off an endless body with NOTARY_ERROR', async () => {
      const server = await serve((_req, res) => endlessBody(res));
      expect(await codeOf(get(server.url, { maxBytes: 1024 * 1024 }))).toBe('NOTARY_ERROR');
    });

    it('refuses a body cut short by a closed connection with NOTARY_UNREACHABLE', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('x'.repeat(10), () => res.socket?.destroy());
      });
      expect(await codeOf(get(server.url, { maxBytes: 1000 }))).toBe('NOTARY_UNREACHABLE');
    });

    it('accepts a body of exactly the cap', async () => {
      const server = await serve((_req, res) => res.end('x'.repeat(100)));
      expect((await get(server.url, { maxBytes: 100 })).body.length).toBe(100);
    });
  });

  describe('redirects', () => {
    it('follows a redirect within the same origin', async () => {
      const server = await serve((req, res) => {
        if (req.url === '/old') res.writeHead(302, { location: '/new' }).end();
        else res.end('here');
      });
      const response = await getFollowingSameOriginRedirects(transport, {
        url: `${server.url}/old`,
        origin: NOTARY_ORIGIN,
        maxBytes: 100,
        timeoutMs: 2_000,
      });
      expect(Buffer.from(response.body).toString()).toBe('here');
      expect(server.requests.map((request) => request.path)).toEqual(['/old', '/new']);
    });

    it('refuses a redirect to another host, without contacting it', async () => {
      const elsewhere = await serve((_req, res) => res.end('{}'));
      const server = await serve((_req, res) => res.writeHead(302, { location: `${elsewhere.url}/x` }).end());
      const pending = getFollowingSameOriginRedirects(transport, {
        url: server.url,
        origin: NOTARY_ORIGIN,
        maxBytes: 100,
        timeoutMs: 2_000,
      });
      expect(await codeOf(pending)).toBe('NOTARY_ERROR');
      expect(elsewhere.requests).toHaveLength(0);
    });

    it('gives up on a redirect loop', async () => {
      const server = await serve((_req, res) => res.writeHead(301, { location: '/again' }).end());
      const pending = getFollowingSameOriginRedirects(transport, {
        url: server.url,
        origin: NOTARY_ORIGIN,
        maxBytes: 100,
        timeoutMs: 2_000,
      });
      expect(await codeOf(pending)).toBe('NOTARY_ERROR');
    });
  });

  describe('over TLS', () => {
    let dir: string;
    let caPem: string;
    let url: string;
    let tlsServer: https.Server;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-tls-'));
      const file = (name: string) => path.join(dir, name);
      await run('openssl', [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'],
        ...['-subj', '/CN=test-ca', '-keyout', file('ca.key'), '-out', file('ca.crt')],
        ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'],
      ]);
      await run('openssl', [
        ...['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=x'],
        ...['-keyout', file('leaf.key'), '-out', file('leaf.csr')],
      ]);
      await run('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\n' > ${file('ext.cnf')}`]);
      await run('openssl', [
        ...['x509', '-req', '-in', file('leaf.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key')],
        ...['-CAcreateserial', '-days', '2', '-extfile', file('ext.cnf'), '-out', file('leaf.crt')],
      ]);
      caPem = await readFile(file('ca.crt'), 'utf8');
      tlsServer = https.createServer(
        { key: await readFile(file('leaf.key')), cert: await readFile(file('leaf.crt')) },
        (_req, res) => res.end('{"signed":{}}'),
      );
      await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
      url = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      tlsServer.closeAllConnections();
      await new Promise((resolve) => tlsServer.close(resolve));
      await rm(dir, { recursive: true, force: true });
    });

    it('trusts a server whose certificate chains to the extra CA', async () => {
      const response = await get(url, { ca: caPem });
      expect(response.status).toBe(200);
    });

    it('refuses a server whose certificate chains to no trusted CA with NOTARY_UNREACHABLE', async () => {
      expect(await codeOf(get(url))).toBe('NOTARY_UNREACHABLE');
    });
  });
});
