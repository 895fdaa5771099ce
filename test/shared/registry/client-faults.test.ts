import type http from 'node:http';
import { MemoryStore } from '../../../shared/cache/memory-store';
import { MAX_MANIFEST_BYTES, OciRegistryClient } from '../../../shared/registry/client';
import { digestOf } from '../../../shared/registry/descriptor';
import { NodeHttpTransport } from '../../../shared/registry/http';
import { MEDIA_TYPE } from '../../../shared/registry/media-types';
import { RESOLUTION_FRESH_TTL_MS, RESOLUTION_MAX_STALE_MS } from '../../../shared/registry/resolution-cache';
import { type FakeServer, freePortUrl, startFakeServer } from '../../harness/fake-server';

const transport = new NodeHttpTransport();
afterAll(() => transport.close());
const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const MANIFEST = Buffer.from(
  JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE.ociManifest, config: {}, layers: [] }),
);
const DIGEST = digestOf(MANIFEST);
const goodHeaders = (bytes: Buffer = MANIFEST, digest = digestOf(bytes)) => ({
  'content-type': MEDIA_TYPE.ociManifest,
  'docker-content-digest': digest,
  'content-length': String(bytes.length),
});

function clientFor(url: string, options: { timeoutMs?: number; clock?: () => number } = {}) {
  const host = new URL(url).host;
  const client = new OciRegistryClient({
    http: transport,
    store: new MemoryStore(),
    registries: { [host]: { ca: undefined, plainHttp: true, endpoint: undefined, auth: undefined } },
    requestTimeoutMs: options.timeoutMs ?? 2_000,
    clock: options.clock,
  });
  return { client, repo: { host, repository: 'team/app' } };
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const server = await startFakeServer(handler);
  servers.push(server);
  return { server, ...clientFor(server.url) };
}

describe('registry faults', () => {
  it('a registry that is down: REGISTRY_UNREACHABLE naming the host and the step', async () => {
    const url = await freePortUrl();
    const { client, repo } = clientFor(url);
    const pending = client.resolve(repo, 'v1');
    await expect(pending).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
    await expect(pending).rejects.toThrow(new RegExp(`^resolve team/app:v1: .*${repo.host}`));
  });

  it('a registry that never answers: REGISTRY_UNREACHABLE after the request timeout', async () => {
    const server = await startFakeServer(() => {});
    servers.push(server);
    const { client, repo } = clientFor(server.url, { timeoutMs: 150 });
    await expect(client.resolve(repo, 'v1')).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
  });

  it("a slow registry is cut off by the admission's deadline", async () => {
    const { client, repo } = await serve(() => {});
    const deadline = new AbortController();
    const pending = client.resolve(repo, 'v1', { signal: deadline.signal });
    setTimeout(() => deadline.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: /deadline/ });
  });

  it('a 500: REGISTRY_ERROR with the status', async () => {
    const { client, repo } = await serve((_req, res) => res.writeHead(500).end());
    await expect(client.resolve(repo, 'v1')).rejects.toMatchObject({ code: 'REGISTRY_ERROR', message: /answered 500/ });
  });

  it('garbage (HEAD without the headers, then HTML): REGISTRY_ERROR', async () => {
    const { client, repo } = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'),
    );
    await expect(client.resolve(repo, 'v1')).rejects.toMatchObject({ code: 'REGISTRY_ERROR', message: /media type/ });
  });

  it(`a manifest of ${MAX_MANIFEST_BYTES} bytes is accepted, one byte more is REGISTRY_ERROR`, async () => {
    let size = MAX_MANIFEST_BYTES;
    const { client, repo } = await serve((_req, res) =>
      res.writeHead(200, { ...goodHeaders(), 'content-length': String(size) }).end(),
    );
    expect((await client.resolve(repo, 'v1')).size).toBe(MAX_MANIFEST_BYTES);
    size = MAX_MANIFEST_BYTES + 1;
    await expect(client.resolve(repo, 'v2')).rejects.toMatchObject({ code: 'REGISTRY_ERROR', message: /more than/ });
  });

  it('an endless manifest body is cut off at the cap', async () => {
    const { client, repo } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': MEDIA_TYPE.ociManifest });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {}
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    await expect(client.fetchManifest(repo, 'v1')).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
      message: /larger than/,
    });
  });

  it('a digest reference answered with another digest: REGISTRY_ERROR', async () => {
    const other = `sha256:${'0'.repeat(64)}`;
    const { client, repo } = await serve((_req, res) => res.writeHead(200, goodHeaders(MANIFEST, other)).end());
    await expect(client.resolve(repo, DIGEST)).rejects.toMatchObject({ code: 'REGISTRY_ERROR', message: /instead/ });
  });

  it('a manifest body that does not hash to its digest: REGISTRY_ERROR', async () => {
    const tampered = Buffer.from(MANIFEST.toString().replace('"layers":[]', '"layers":[ ]').slice(0, MANIFEST.length));
    const { client, repo } = await serve((_req, res) =>
      res.writeHead(200, goodHeaders(tampered, DIGEST)).end(tampered),
    );
    const descriptor = { mediaType: MEDIA_TYPE.ociManifest, digest: DIGEST, size: MANIFEST.length };
    await expect(client.fetchManifest(repo, descriptor)).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
      message: /hash/,
    });
    await expect(client.fetchManifest(repo, 'v1')).rejects.toMatchObject({ code: 'REGISTRY_ERROR' });
  });

  it('a blob larger than the caller allows is refused before it is requested', async () => {
    const { client, repo, server } = await serve((_req, res) => res.end('x'));
    const blob = { mediaType: 'application/octet-stream', digest: DIGEST, size: 1025 };
    await expect(client.fetchBlob(repo, blob, 1024)).rejects.toMatchObject({ code: 'REGISTRY_ERROR' });
    expect(server.requests).toHaveLength(0);
  });

  it('a redirect loop: REGISTRY_ERROR', async () => {
    const { client, repo } = await serve((_req, res) =>
      res.writeHead(302, { location: '/v2/team/app/manifests/v1' }).end(),
    );
    await expect(client.fetchManifest(repo, 'v1')).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
      message: /redirected more/,
    });
  });

  it('a manifest redirected to another origin is refused', async () => {
    const { client, repo } = await serve((_req, res) =>
      res.writeHead(302, { location: 'https://elsewhere.example/x' }).end(),
    );
    await expect(client.fetchManifest(repo, 'v1')).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
      message: /another origin/,
    });
  });

  describe('resolutions', () => {
    it('are reused for a short while, then asked again', async () => {
      const clock = { nowMs: 1_000_000 };
      const server = await startFakeServer((_req, res) => res.writeHead(200, goodHeaders()).end());
      servers.push(server);
      const { client, repo } = clientFor(server.url, { clock: () => clock.nowMs });
      await client.resolve(repo, 'v1');
      await client.resolve(repo, 'v1');
      expect(server.requests).toHaveLength(1);
      clock.nowMs += RESOLUTION_FRESH_TTL_MS;
      await client.resolve(repo, 'v1');
      expect(server.requests).toHaveLength(2);
    });

    it('stand in when the registry fails (stale-if-error), within the stale bound only', async () => {
      const clock = { nowMs: 1_000_000 };
      let failing = false;
      const server = await startFakeServer((_req, res) =>
        failing ? res.writeHead(503).end() : res.writeHead(200, goodHeaders()).end(),
      );
      servers.push(server);
      const { client, repo } = clientFor(server.url, { clock: () => clock.nowMs });
      const first = await client.resolve(repo, 'v1');
      failing = true;
      clock.nowMs += RESOLUTION_MAX_STALE_MS;
      expect(await client.resolve(repo, 'v1')).toEqual(first);
      clock.nowMs += 1;
      await expect(client.resolve(repo, 'v1')).rejects.toMatchObject({ code: 'REGISTRY_ERROR' });
    });

    it('do not stand in for a tag the registry says is gone', async () => {
      const clock = { nowMs: 1_000_000 };
      let gone = false;
      const server = await startFakeServer((_req, res) =>
        gone ? res.writeHead(404).end() : res.writeHead(200, goodHeaders()).end(),
      );
      servers.push(server);
      const { client, repo } = clientFor(server.url, { clock: () => clock.nowMs });
      await client.resolve(repo, 'v1');
      gone = true;
      clock.nowMs += RESOLUTION_FRESH_TTL_MS;
      await expect(client.resolve(repo, 'v1')).rejects.toMatchObject({ code: 'REGISTRY_ERROR', message: /404/ });
    });

    it('are reused up to one millisecond before the fresh TTL', async () => {
      const clock = { nowMs: 1_000_000 };
      const server = await startFakeServer((_req, res) => res.writeHead(200, goodHeaders()).end());
      servers.push(server);
      const { client, repo } = clientFor(server.url, { clock: () => clock.nowMs });
      await client.resolve(repo, 'v1');
      clock.nowMs += RESOLUTION_FRESH_TTL_MS - 1;
      await client.resolve(repo, 'v1');
      expect(server.requests).toHaveLength(1);
    });

    it("a caller whose deadline passes on a slow registry gets the stale resolution; others' waits go on", async () => {
      const clock = { nowMs: 1_000_000 };
      let slow = false;
      const server = await startFakeServer((_req, res) =>
        slow ? setTimeout(() => res.writeHead(200, goodHeaders()).end(), 300) : res.writeHead(200, goodHeaders()).end(),
      );
      servers.push(server);
      const { client, repo } = clientFor(server.url, { clock: () => clock.nowMs });
      const first = await client.resolve(repo, 'v1');
      slow = true;
      clock.nowMs += RESOLUTION_FRESH_TTL_MS;
      const patient = client.resolve(repo, 'v1');
      const hurried = client.resolve(repo, 'v1', { signal: AbortSignal.timeout(20) });
      expect(await hurried).toEqual(first);
      expect(await patient).toEqual(first);
      expect(server.requests).toHaveLength(2);
    });

    it('a caller whose deadline passes with nothing to stand in: REGISTRY_UNREACHABLE naming the step', async () => {
      const server = await startFakeServer((_req, res) =>
        setTimeout(() => res.writeHead(200, goodHeaders()).end(), 300),
      );
      servers.push(server);
      const { client, repo } = clientFor(server.url);
      await expect(client.resolve(repo, 'v1', { signal: AbortSignal.timeout(20) })).rejects.toMatchObject({
        code: 'REGISTRY_UNREACHABLE',
        message: expect.stringMatching(/resolve team\/app:v1/),
      });
    });

    it('of one reference made together share one request', async () => {
      const server = await startFakeServer((_req, res) =>
        setTimeout(() => res.writeHead(200, goodHeaders()).end(), 20),
      );
      servers.push(server);
      const { client, repo } = clientFor(server.url);
      await Promise.all([1, 2, 3].map(() => client.resolve(repo, 'v1')));
      expect(server.requests).toHaveLength(1);
    });
  });
});
