/**
 * Notary servers that fail: down, slow, erroring, lying. Each is a small server on 127.0.0.1; the verifier must
 * deny with a code that tells an operator what happened, and never admit.
 */
import { parseReference } from '../../shared/image/reference';
import { METRIC } from '../../shared/observer';
import { endlessBody, type FakeServer, freePortUrl, startFakeServer } from '../harness/fake-server';
import { notaryRule, verifierKit } from '../harness/verifier-kit';

const IMAGE = `registry.example.com/team/app@sha256:${'a'.repeat(64)}`;
const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function serve(handler: Parameters<typeof startFakeServer>[0]): Promise<FakeServer> {
  const server = await startFakeServer(handler);
  servers.push(server);
  return server;
}

describe('the Notary verifier when the server misbehaves', () => {
  it('denies with NOTARY_UNREACHABLE when the server is down, and counts the error', async () => {
    const kit = verifierKit();
    const verdict = await kit.verify(IMAGE, notaryRule({ server: await freePortUrl() }));
    expect(verdict).toMatchObject({ allowed: false, code: 'NOTARY_UNREACHABLE', format: 'notary-v1' });
    expect(kit.observer.get(METRIC.originErrors)).toBeGreaterThan(0);
  });

  it('denies with NOTARY_UNREACHABLE when the server does not answer within the request timeout', async () => {
    const server = await serve(() => {}); // accepts, never answers
    const verdict = await verifierKit({ requestTimeoutMs: 200 }).verify(IMAGE, notaryRule({ server: server.url }));
    expect(verdict).toMatchObject({ allowed: false, code: 'NOTARY_UNREACHABLE' });
  });

  it('stops and denies when the admission deadline aborts the request', async () => {
    const server = await serve(() => {});
    const kit = verifierKit({ requestTimeoutMs: 60_000 });
    const controller = new AbortController();
    const pending = kit.verifier.verify(parseReference(IMAGE), notaryRule({ server: server.url }), {
      nowMs: Date.now(),
      signal: controller.signal,
    });
    controller.abort();
    expect(await pending).toMatchObject({ allowed: false, code: 'NOTARY_UNREACHABLE' });
  });

  it('denies with NOTARY_ERROR when the server answers 500', async () => {
    const server = await serve((_req, res) => res.writeHead(500).end('oops'));
    const verdict = await verifierKit().verify(IMAGE, notaryRule({ server: server.url }));
    expect(verdict).toMatchObject({ allowed: false, code: 'NOTARY_ERROR' });
    expect(verdict.reason).toContain('500');
  });

  it('denies with NOTARY_ERROR when the server answers garbage', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end('<html>not metadata</html>'));
    const verdict = await verifierKit().verify(IMAGE, notaryRule({ server: server.url }));
    expect(verdict).toMatchObject({ allowed: false, code: 'NOTARY_ERROR' });
  });

  it('denies with NOTARY_ERROR when the server streams endless bytes', async () => {
    const server = await serve((_req, res) => endlessBody(res));
    const verdict = await verifierKit().verify(IMAGE, notaryRule({ server: server.url }));
    expect(verdict).toMatchObject({ allowed: false, code: 'NOTARY_ERROR' });
    expect(verdict.reason).toMatch(/larger than \d+ bytes/);
  });

  it('denies with NOT_SIGNED when the server has no trust data for the repository (404)', async () => {
    const server = await serve((_req, res) => res.writeHead(404).end('{"errors":[{"code":"METADATA_NOT_FOUND"}]}'));
    const verdict = await verifierKit().verify(IMAGE, notaryRule({ server: server.url }));
    expect(verdict).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
  });

  it('denies with NOTARY_ERROR on a 401 without a Bearer challenge', async () => {
    const server = await serve((_req, res) => res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end());
    const verdict = await verifierKit().verify(IMAGE, notaryRule({ server: server.url }));
    expect(verdict).toMatchObject({ allowed: false, code: 'NOTARY_ERROR' });
  });

  it('refuses a redirect to another host, without contacting it', async () => {
    const elsewhere = await serve((_req, res) => res.end('{}'));
    const server = await serve((req, res) => res.writeHead(302, { location: `${elsewhere.url}${req.url}` }).end());
    const verdict = await verifierKit().verify(IMAGE, notaryRule({ server: server.url }));
    expect(verdict).toMatchObject({ allowed: false, code: 'NOTARY_ERROR' });
    expect(elsewhere.requests).toHaveLength(0);
  });
});
