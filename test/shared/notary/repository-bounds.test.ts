/**
 * The updater's bounds (issue 10 items 5 and 6): bytes per download (min of the recorded length and a ceiling per
 * role type, a recorded length above the ceiling refused before fetching), requests per repository, and the
 * deadline checked between two roles. A fake Notary serves trust data generated and signed in the test.
 */
import type http from 'node:http';
import { MemoryStore } from '../../../shared/cache/memory-store';
import { TrustError } from '../../../shared/errors';
import {
  MAX_BYTES_PER_REPOSITORY,
  MAX_REQUESTS_PER_REPOSITORY,
  MAX_ROLE_BYTES,
  maxBytesFor,
  RepositoryBudget,
} from '../../../shared/notary/download-bounds';
import { NotaryRepositoryClient, type RepositoryRequest } from '../../../shared/notary/repository-client';
import { TrustStateStore } from '../../../shared/notary/trust-state';
import type { HttpTransport } from '../../../shared/registry/http';
import { TokenAuthenticator } from '../../../shared/registry/token-auth';
import { endlessBody, type FakeServer, startFakeServer } from '../../harness/fake-server';
import { InterceptingTransport, sharedTransport } from '../../harness/verifier-kit';
import { makeKey } from './tuf/support/keys';
import type { RepositoryFiles } from './tuf/support/repository';
import { DIGEST_A, GUN, instantFor, standardKeys, standardRepository } from './tuf/support/standard-repository';

const keys = standardKeys();
const NOW = instantFor(keys);

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Serves `files` by plain and checksum names; `override` answers a role itself (endless, say). */
async function serving(
  files: RepositoryFiles,
  override: (role: string, res: http.ServerResponse) => boolean = () => false,
): Promise<FakeServer> {
  const server = await startFakeServer((req, res) => {
    const role = /\/_trust\/tuf\/(.+?)(\.[0-9a-f]{64})?\.json$/.exec(req.url ?? '')?.[1] ?? '';
    if (override(role, res)) return;
    const top = (files as unknown as Record<string, Buffer | undefined>)[role];
    const body = role === 'delegated' ? undefined : (top ?? files.delegated[role]);
    if (body) res.end(body);
    else res.writeHead(404).end();
  });
  servers.push(server);
  return server;
}

function client(http: HttpTransport = sharedTransport) {
  const store = new MemoryStore();
  return new NotaryRepositoryClient({
    http,
    tokens: new TokenAuthenticator({ http, store }),
    trustState: new TrustStateStore({ store }),
  });
}

function request(server: FakeServer, more: Partial<RepositoryRequest> = {}): RepositoryRequest {
  return { server: server.url, gun: GUN, pinnedRootKeys: [], nowMs: NOW, ...more };
}

async function failure(promise: Promise<unknown>): Promise<TrustError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TrustError)) throw new Error(`expected a TrustError, got ${String(error)}`);
  return error;
}

describe('bytes per download', () => {
  it('refuses a snapshot the timestamp records as 2^40 bytes before downloading it', async () => {
    const repo = standardRepository(keys);
    repo.timestamp.edit = (signed) => {
      (signed.meta as { snapshot: { length: number } }).snapshot.length = 2 ** 40;
    };
    const server = await serving(repo.publish());
    const error = await failure(client().loadTrust(request(server)));
    expect(error.code).toBe('NOTARY_ERROR');
    expect(error.message).toMatch(
      `records snapshot metadata of ${2 ** 40} bytes, more than the ${MAX_ROLE_BYTES.snapshot}-byte ceiling`,
    );
    // only the first wave went out: no request for the snapshot by its checksum name
    expect(server.requests.filter((r) => /snapshot\.[0-9a-f]{64}\.json$/.test(r.path))).toEqual([]);
  });

  it('reads a recorded length at the ceiling, and cuts a root with no recorded length at its ceiling', async () => {
    expect(maxBytesFor(GUN, 'targets/releases', MAX_ROLE_BYTES.delegation)).toBe(MAX_ROLE_BYTES.delegation);
    expect(() => maxBytesFor(GUN, 'targets/releases', MAX_ROLE_BYTES.delegation + 1)).toThrow(/ceiling/);
    expect(maxBytesFor(GUN, 'root', undefined)).toBe(MAX_ROLE_BYTES.root);

    const server = await serving(standardRepository(keys).publish(), (role, res) => {
      if (role !== 'root') return false;
      endlessBody(res);
      return true;
    });
    const error = await failure(client().loadTrust(request(server)));
    expect(error.message).toMatch(`larger than ${MAX_ROLE_BYTES.root} bytes`);
  });
});

describe('requests and bytes per repository', () => {
  it(`allows ${MAX_REQUESTS_PER_REPOSITORY} requests and refuses the next`, () => {
    const budget = new RepositoryBudget(GUN);
    for (let i = 0; i < MAX_REQUESTS_PER_REPOSITORY; i++) budget.request();
    expect(() => budget.request()).toThrow(`more than ${MAX_REQUESTS_PER_REPOSITORY} requests`);
  });

  it(`allows ${MAX_BYTES_PER_REPOSITORY} bytes in all, then refuses`, () => {
    const budget = new RepositoryBudget(GUN);
    budget.received(MAX_BYTES_PER_REPOSITORY - 10);
    expect(budget.allow(MAX_ROLE_BYTES.targets)).toBe(10);
    budget.received(10);
    expect(() => budget.allow(1)).toThrow(`larger than ${MAX_BYTES_PER_REPOSITORY} bytes in all`);
  });
});

describe('the deadline', () => {
  it('is checked between two delegations: verification stops there, NOTARY_UNREACHABLE', async () => {
    const repo = standardRepository(keys);
    repo.targets.targets = { v1: DIGEST_A };
    const signer = makeKey('ecdsa');
    repo.delegate('targets/releases', [signer], {});
    repo.delegate('targets/releases/team', [signer], {});
    repo.delegate('targets/releases/team/ci', [signer], {});
    const server = await serving(repo.publish());
    const deadline = new AbortController();
    // The deadline passes just as the second level's file arrives (the transport has already answered).
    const transport = new InterceptingTransport(sharedTransport, (req, res) => {
      if (req.url.includes('/targets/releases/team.')) deadline.abort();
      return res;
    });
    const error = await failure(client(transport).loadTrust(request(server, { signal: deadline.signal })));
    expect(error.code).toBe('NOTARY_UNREACHABLE');
    expect(error.message).toMatch(/before the admission deadline \(stopped between two roles\)/);
    expect(transport.urls.some((url) => url.includes('/team/ci'))).toBe(false);
  });
});
