import type http from 'node:http';
import { MemoryStore } from '../../../shared/cache/memory-store';
import { TrustError } from '../../../shared/errors';
import { NOTARY_ORIGIN } from '../../../shared/notary/origin';
import { METRIC, type MetricName, type Observer } from '../../../shared/observer';
import { NodeHttpTransport } from '../../../shared/registry/http';
import { TOKEN_EXPIRY_MARGIN_MS, TokenAuthenticator } from '../../../shared/registry/token-auth';
import { type FakeServer, startFakeServer } from '../../harness/fake-server';

const transport = new NodeHttpTransport();
afterAll(() => transport.close());

const GUN = 'registry.example.com/team/app';
const ORIGIN = 'https://notary.example.com';

interface Fixture {
  realm: FakeServer;
  authenticator: (store?: MemoryStore) => TokenAuthenticator;
  clock: { nowMs: number };
  warnings: string[];
  tokenRequests: () => number;
}

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function fixture(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Fixture> {
  const realm = await startFakeServer(answer);
  servers.push(realm);
  const clock = { nowMs: 1_700_000_000_000 };
  const warnings: string[] = [];
  const counts = new Map<MetricName, number>();
  const observer: Observer = {
    count: (metric, value = 1) => counts.set(metric, (counts.get(metric) ?? 0) + value),
    warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields ?? {})}`),
    debug: () => {},
  };
  const shared = new MemoryStore();
  return {
    realm,
    clock,
    warnings,
    tokenRequests: () => counts.get(METRIC.tokenRequests) ?? 0,
    authenticator: (store = shared) =>
      new TokenAuthenticator({ http: transport, store, observer, clock: () => clock.nowMs, requestTimeoutMs: 2_000 }),
  };
}

const tokenAnswer =
  (body: object) =>
  (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

const challengeFor = (f: Fixture) => ({ realm: `${f.realm.url}/token`, service: 'notary-server', scope: undefined });

describe('token auth', () => {
  describe('when a server challenges', () => {
    it('asks the realm for a pull token for the repository and returns a Bearer header', async () => {
      const f = await fixture(tokenAnswer({ token: 'tok-1', expires_in: 300 }));
      const header = await f
        .authenticator()
        .authorize(ORIGIN, challengeFor(f), { origin: NOTARY_ORIGIN, repository: GUN, credentials: undefined });
      expect(header).toBe('Bearer tok-1');
      const asked = new URL(f.realm.requests[0]?.path ?? '', 'http://x');
      expect(asked.pathname).toBe('/token');
      expect(asked.searchParams.get('service')).toBe('notary-server');
      expect(asked.searchParams.get('scope')).toBe(`repository:${GUN}:pull`);
      expect(f.realm.requests[0]?.headers.authorization).toBeUndefined();
    });

    it('accepts access_token when token is absent', async () => {
      const f = await fixture(tokenAnswer({ access_token: 'tok-2' }));
      expect(
        await f
          .authenticator()
          .authorize(ORIGIN, challengeFor(f), { origin: NOTARY_ORIGIN, repository: GUN, credentials: undefined }),
      ).toBe('Bearer tok-2');
    });

    it('sends Basic credentials from notary.auth to a loopback or https realm', async () => {
      const f = await fixture(tokenAnswer({ token: 'tok-3' }));
      await f.authenticator().authorize(ORIGIN, challengeFor(f), {
        origin: NOTARY_ORIGIN,
        repository: GUN,
        credentials: { username: 'robot', password: 's3cret' },
      });
      expect(f.realm.requests[0]?.headers.authorization).toBe(
        `Basic ${Buffer.from('robot:s3cret').toString('base64')}`,
      );
    });

    it('remembers the challenge per server so later requests can send a token up front', async () => {
      const f = await fixture(tokenAnswer({ token: 't' }));
      const authenticator = f.authenticator();
      expect(authenticator.knownChallenge(ORIGIN)).toBeUndefined();
      await authenticator.authorize(ORIGIN, challengeFor(f), {
        origin: NOTARY_ORIGIN,
        repository: GUN,
        credentials: undefined,
      });
      expect(authenticator.knownChallenge(ORIGIN)?.realm).toBe(`${f.realm.url}/token`);
    });
  });

  describe('token reuse', () => {
    it('reuses a token until expires_in minus a margin, then asks again', async () => {
      const f = await fixture(tokenAnswer({ token: 'tok', expires_in: 120 }));
      const authenticator = f.authenticator();
      const ask = () =>
        authenticator.authorize(ORIGIN, challengeFor(f), {
          origin: NOTARY_ORIGIN,
          repository: GUN,
          credentials: undefined,
        });
      await ask();
      f.clock.nowMs += 120_000 - TOKEN_EXPIRY_MARGIN_MS - 1;
      await ask();
      expect(f.tokenRequests()).toBe(1);
      f.clock.nowMs += 2;
      await ask();
      expect(f.tokenRequests()).toBe(2);
    });

    it('treats a missing expires_in as 60 seconds', async () => {
      const f = await fixture(tokenAnswer({ token: 'tok' }));
      const authenticator = f.authenticator();
      const ask = () =>
        authenticator.authorize(ORIGIN, challengeFor(f), {
          origin: NOTARY_ORIGIN,
          repository: GUN,
          credentials: undefined,
        });
      await ask();
      f.clock.nowMs += 60_000 - TOKEN_EXPIRY_MARGIN_MS + 1;
      await ask();
      expect(f.tokenRequests()).toBe(2);
    });

    it('shares tokens through the store with other instances (another Lambda)', async () => {
      const f = await fixture(tokenAnswer({ token: 'shared', expires_in: 300 }));
      const store = new MemoryStore();
      await f
        .authenticator(store)
        .authorize(ORIGIN, challengeFor(f), { origin: NOTARY_ORIGIN, repository: GUN, credentials: undefined });
      const header = await f
        .authenticator(store)
        .authorize(ORIGIN, challengeFor(f), { origin: NOTARY_ORIGIN, repository: GUN, credentials: undefined });
      expect(header).toBe('Bearer shared');
      expect(f.tokenRequests()).toBe(1);
    });

    it('makes one token request for concurrent callers', async () => {
      const f = await fixture(tokenAnswer({ token: 'once' }));
      const authenticator = f.authenticator();
      const headers = await Promise.all(
        [1, 2, 3].map(() =>
          authenticator.authorize(ORIGIN, challengeFor(f), {
            origin: NOTARY_ORIGIN,
            repository: GUN,
            credentials: undefined,
          }),
        ),
      );
      expect(headers).toEqual(['Bearer once', 'Bearer once', 'Bearer once']);
      expect(f.tokenRequests()).toBe(1);
    });

    it('makes one token request when the shared store answers callers at different times', async () => {
      const f = await fixture(tokenAnswer({ token: 'once' }));
      // A store whose reads settle one after another, as a DynamoDB batch and a later read would.
      const store = new MemoryStore();
      let reads = 0;
      const read = store.get.bind(store);
      store.get = async <T>(key: string, nowMs: number) => {
        const answer = await read<T>(key, nowMs); // what the store held when asked
        const delayMs = 20 * reads++;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return answer;
      };
      const authenticator = f.authenticator(store);
      const calls = [1, 2, 3, 4, 5].map(() =>
        authenticator.authorize(ORIGIN, challengeFor(f), {
          origin: NOTARY_ORIGIN,
          repository: GUN,
          credentials: undefined,
        }),
      );
      expect(await Promise.all(calls)).toEqual(Array(5).fill('Bearer once'));
      expect(f.tokenRequests()).toBe(1);
    });

    it('keeps tokens of different users and of anonymous callers apart', async () => {
      let issued = 0;
      const f = await fixture((_req, res) => res.end(JSON.stringify({ token: `tok-${++issued}` })));
      const authenticator = f.authenticator();
      const anonymous = await authenticator.authorize(ORIGIN, challengeFor(f), {
        origin: NOTARY_ORIGIN,
        repository: GUN,
        credentials: undefined,
      });
      const robot = await authenticator.authorize(ORIGIN, challengeFor(f), {
        origin: NOTARY_ORIGIN,
        repository: GUN,
        credentials: { username: 'robot', password: 'p' },
      });
      expect(anonymous).not.toBe(robot);
    });

    it('asks again when told the cached token was refused', async () => {
      const f = await fixture(tokenAnswer({ token: 'tok', expires_in: 300 }));
      const authenticator = f.authenticator();
      await authenticator.authorize(ORIGIN, challengeFor(f), {
        origin: NOTARY_ORIGIN,
        repository: GUN,
        credentials: undefined,
      });
      await authenticator.authorize(ORIGIN, challengeFor(f), {
        origin: NOTARY_ORIGIN,
        repository: GUN,
        credentials: undefined,
        fresh: true,
      });
      expect(f.tokenRequests()).toBe(2);
    });
  });

  describe('when callers with different deadlines share one token request', () => {
    /** A realm that answers only when released, so the first caller's deadline can pass mid-request. */
    async function heldRealm() {
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const f = await fixture((_req, res) => {
        void released.then(() => res.writeHead(200).end(JSON.stringify({ token: 'shared' })));
      });
      const requested = async () => {
        for (let turn = 0; turn < 200 && f.realm.requests.length === 0; turn++)
          await new Promise((resolve) => setTimeout(resolve, 5));
        expect(f.realm.requests).toHaveLength(1);
      };
      return { f, requested, release: () => release() };
    }

    it('gives the later caller the token after the first one has stopped at its own deadline', async () => {
      const { f, requested, release } = await heldRealm();
      const authenticator = f.authenticator();
      const ask = (signal: AbortSignal) =>
        authenticator.authorize(ORIGIN, challengeFor(f), {
          origin: NOTARY_ORIGIN,
          repository: GUN,
          credentials: undefined,
          signal,
        });
      const short = new AbortController();
      const long = new AbortController();
      const first = ask(short.signal);
      const second = ask(long.signal);
      await requested();
      short.abort(new Error('first admission deadline'));
      // The first stops waiting with its origin's unreachable code, as a timed-out request would...
      await expect(first).rejects.toMatchObject({ code: 'NOTARY_UNREACHABLE' });
      // ...while the request goes on for the second, which did not run under the first caller's signal.
      release();
      await expect(second).resolves.toBe('Bearer shared');
      expect(f.tokenRequests()).toBe(1);
    });
  });

  describe('when something is wrong', () => {
    const codeOf = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(TrustError);
      return (error as TrustError).code;
    };

    it('refuses a realm that is not http(s) without requesting it', async () => {
      const f = await fixture(tokenAnswer({ token: 't' }));
      const pending = f
        .authenticator()
        .authorize(
          ORIGIN,
          { realm: 'file:///etc/passwd', service: 's', scope: undefined },
          { origin: NOTARY_ORIGIN, repository: GUN, credentials: undefined },
        );
      expect(await codeOf(pending)).toBe('NOTARY_ERROR');
      expect(f.tokenRequests()).toBe(0);
    });

    it('refuses to send credentials to a plain-http realm on another host', async () => {
      const f = await fixture(tokenAnswer({ token: 't' }));
      const pending = f
        .authenticator()
        .authorize(
          ORIGIN,
          { realm: 'http://auth.example.com/token', service: 's', scope: undefined },
          { origin: NOTARY_ORIGIN, repository: GUN, credentials: { username: 'u', password: 'p' } },
        );
      expect(await codeOf(pending)).toBe('NOTARY_ERROR');
      expect(f.tokenRequests()).toBe(0);
    });

    it('reports refused credentials as NOTARY_ERROR naming notary.auth', async () => {
      const f = await fixture((_req, res) => res.writeHead(401).end());
      const pending = f
        .authenticator()
        .authorize(ORIGIN, challengeFor(f), { origin: NOTARY_ORIGIN, repository: GUN, credentials: undefined });
      await expect(pending).rejects.toThrow(/notary\.auth/);
    });

    it('reports an answer without a token, or not JSON, as NOTARY_ERROR', async () => {
      const empty = await fixture(tokenAnswer({ expires_in: 5 }));
      expect(
        await codeOf(
          empty
            .authenticator()
            .authorize(ORIGIN, challengeFor(empty), { origin: NOTARY_ORIGIN, repository: GUN, credentials: undefined }),
        ),
      ).toBe('NOTARY_ERROR');
      const garbage = await fixture((_req, res) => res.end('<html>'));
      expect(
        await codeOf(
          garbage.authenticator().authorize(ORIGIN, challengeFor(garbage), {
            origin: NOTARY_ORIGIN,
            repository: GUN,
            credentials: undefined,
          }),
        ),
      ).toBe('NOTARY_ERROR');
    });

    it("names the origin's credentials setting and uses its codes", async () => {
      const f = await fixture((_req, res) => res.writeHead(403).end());
      const origin = { ...NOTARY_ORIGIN, errorCode: 'NOT_SIGNED' as const, credentialsSetting: 'registries.x.auth' };
      const pending = f
        .authenticator()
        .authorize(ORIGIN, challengeFor(f), { origin, repository: GUN, credentials: undefined });
      await expect(pending).rejects.toMatchObject({ code: 'NOT_SIGNED', message: /registries\.x\.auth/ });
    });

    it('never puts a token or a password in a warning', async () => {
      const f = await fixture(tokenAnswer({ token: 'very-secret-token' }));
      const failingStore = new MemoryStore();
      failingStore.put = () => Promise.reject(new Error('store down'));
      await f.authenticator(failingStore).authorize(ORIGIN, challengeFor(f), {
        origin: NOTARY_ORIGIN,
        repository: GUN,
        credentials: { username: 'u', password: 'hunter2' },
      });
      expect(f.warnings.length).toBeGreaterThan(0);
      expect(f.warnings.join(' ')).not.toMatch(/very-secret-token|hunter2/);
    });
  });
});
