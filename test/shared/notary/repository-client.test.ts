import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MemoryStore } from '../../../shared/cache/memory-store';
import { TrustError } from '../../../shared/errors';
import { NotaryRepositoryClient, trustStateKeys } from '../../../shared/notary/repository-client';
import { TrustStateStore } from '../../../shared/notary/trust-state';
import { METRIC } from '../../../shared/observer';
import { TokenAuthenticator } from '../../../shared/registry/token-auth';
import { type FakeServer, startFakeServer } from '../../harness/fake-server';
import { RecordingObserver, sharedTransport } from '../../harness/verifier-kit';

const FIXTURE = path.join(__dirname, '../../fixtures/notary/dockerhub-alpine');
const GUN = 'docker.io/library/alpine';
const CAPTURED_AT = Date.parse('2018-08-01T00:00:00Z');

let files: Map<string, Buffer>;
beforeAll(async () => {
  files = new Map();
  for (const role of ['root', 'timestamp', 'snapshot', 'targets']) {
    files.set(role, await readFile(path.join(FIXTURE, `${role}.json`)));
  }
});

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/**
 * Serves the captured alpine data; `checksumNames` decides whether `<role>.<hex>.json` is served too, and `plain`
 * replaces what a plain name serves (as a server does when a publish lands between two requests).
 */
async function notaryServing(options: { checksumNames: boolean; plain?: Record<string, Buffer> }): Promise<FakeServer> {
  const server = await startFakeServer((req, res) => {
    const match = /^\/v2\/docker\.io\/library\/alpine\/_trust\/tuf\/([a-z]+)(\.[0-9a-f]{64})?\.json$/.exec(
      req.url ?? '',
    );
    const role = match?.[1];
    const body =
      role && !match?.[2] && options.plain?.[role] ? options.plain[role] : role ? files.get(role) : undefined;
    if (!body || (match?.[2] && !options.checksumNames)) res.writeHead(404).end();
    else res.end(body);
  });
  servers.push(server);
  return server;
}

function client(store = new MemoryStore(), observer = new RecordingObserver()) {
  const tokens = new TokenAuthenticator({ http: sharedTransport, store, observer });
  const trustState = new TrustStateStore({ store, observer });
  return {
    store,
    observer,
    client: new NotaryRepositoryClient({ http: sharedTransport, trustState, tokens, observer }),
  };
}

describe('the Notary repository client', () => {
  it('fetches root, timestamp, snapshot, targets and targets/releases in one wave, and verifies them', async () => {
    const server = await notaryServing({ checksumNames: true });
    const { client: notary } = client();
    const trust = await notary.loadTrust({ server: server.url, gun: GUN, pinnedRootKeys: [], nowMs: CAPTURED_AT });
    expect(trust.versions).toMatchObject({ root: 1, timestamp: 383, snapshot: 331, targets: 323 });
    const paths = server.requests.map((request) => request.path.split('/_trust/tuf/')[1]);
    // targets/releases is asked for speculatively; this repository has none (404), which is no error.
    expect([...paths].sort()).toEqual([
      'root.json',
      'snapshot.json',
      'targets.json',
      'targets/releases.json',
      'timestamp.json',
    ]);
  });

  describe('when a plain-named file is not the one the verified parent records (a publish in between)', () => {
    it('fetches that file again by checksum name and verifies the recorded one', async () => {
      const newer = Buffer.from(JSON.stringify({ signed: { _type: 'Snapshot', version: 332 }, signatures: [] }));
      const server = await notaryServing({ checksumNames: true, plain: { snapshot: newer } });
      const { client: notary } = client();
      const trust = await notary.loadTrust({ server: server.url, gun: GUN, pinnedRootKeys: [], nowMs: CAPTURED_AT });
      expect(trust.versions).toMatchObject({ snapshot: 331, targets: 323 });
      const paths = server.requests.map((request) => request.path.split('/_trust/tuf/')[1]);
      expect(paths).toContainEqual(expect.stringMatching(/^snapshot\.[0-9a-f]{64}\.json$/));
      // targets.json from the first wave matched the snapshot's record: no second fetch.
      expect(paths.filter((path) => /^targets\.[0-9a-f]{64}\.json$/.test(path ?? ''))).toEqual([]);
    });
  });

  it('falls back to plain names on a server that serves no checksum names', async () => {
    const server = await notaryServing({ checksumNames: false });
    const { client: notary } = client();
    const trust = await notary.loadTrust({ server: server.url, gun: GUN, pinnedRootKeys: [], nowMs: CAPTURED_AT });
    expect(trust.versions.targets).toBe(323);
  });

  it('remembers the root and the versions under the server and GUN for the next cold start', async () => {
    const server = await notaryServing({ checksumNames: true });
    const { client: notary, store } = client();
    await notary.loadTrust({ server: `${server.url}/`, gun: GUN, pinnedRootKeys: [], nowMs: CAPTURED_AT });
    const keys = trustStateKeys(server.url, GUN);
    const root = await store.get<string>(keys.root, CAPTURED_AT);
    const versions = await store.get<Record<string, number>>(keys.versions, CAPTURED_AT);
    expect(Buffer.from(root?.value ?? '', 'base64').equals(files.get('root') ?? Buffer.alloc(0))).toBe(true);
    expect(root?.version).toBe(1);
    expect(versions?.version).toBe(383);
  });

  it('still verifies when the store cannot remember, and tells the operator', async () => {
    const server = await notaryServing({ checksumNames: true });
    const store = new MemoryStore();
    store.compareAndSwap = () => Promise.reject(new Error('throttled'));
    const { client: notary, observer } = client(store);
    await notary.loadTrust({ server: server.url, gun: GUN, pinnedRootKeys: [], nowMs: CAPTURED_AT });
    expect(observer.get(METRIC.cacheStoreErrors)).toBe(2);
    expect(observer.warnings).toHaveLength(2);
  });

  it('counts every request it makes', async () => {
    const server = await notaryServing({ checksumNames: true });
    const { client: notary, observer } = client();
    await notary.loadTrust({ server: server.url, gun: GUN, pinnedRootKeys: [], nowMs: CAPTURED_AT });
    expect(observer.get(METRIC.originRequests)).toBe(server.requests.length);
  });

  it('says NOT_SIGNED, naming the repository, when the server has no root for it', async () => {
    const server = await notaryServing({ checksumNames: true });
    const { client: notary } = client();
    const error = await notary
      .loadTrust({ server: server.url, gun: 'docker.io/library/nothing', pinnedRootKeys: [], nowMs: CAPTURED_AT })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TrustError);
    expect((error as TrustError).code).toBe('NOT_SIGNED');
    expect((error as TrustError).message).toContain('docker.io/library/nothing');
  });
});
