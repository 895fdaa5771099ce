/**
 * The trust cache as Lambda instances use it: each builds its cache from the environment (createCacheFromEnv),
 * with its own memory and the shared DynamoDB table (dynalite here). Requests are counted, not timed.
 */
import { createCacheFromEnv } from '../../shared/cache/create';
import type { Loaded } from '../../shared/cache/trust-cache-types';
import { TrustError, type VerdictCode } from '../../shared/errors';
import { METRIC } from '../../shared/observer';
import { type Dynalite, dynaliteEnv, startDynalite } from '../harness/dynalite';
import { closedPortEndpoint } from '../shared/cache/fake-dynamo';
import { recordingObserver } from '../shared/cache/recording-observer';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const TTLS = { freshTtlMs: 5 * MINUTE, maxStaleMs: 60 * MINUTE };
const REPOS = ['docker.io/library/alpine', 'docker.io/library/nginx', 'registry.example.com/team/api'];

let db: Dynalite;
let tableSeq = 0;
let env: NodeJS.ProcessEnv;
const savedEnv = { ...process.env };

beforeAll(async () => {
  db = await startDynalite();
  // The SDK's default credential chain reads process.env; dynalite only checks that requests are signed.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
});
afterAll(async () => {
  process.env = savedEnv;
  await db.stop();
});
beforeEach(async () => {
  const table = `cache-${++tableSeq}`;
  await db.createTable(table);
  env = { ...dynaliteEnv(db.endpoint), CACHE_TABLE: table };
  db.resetCounts();
});

/** Notary as seen by the cache: answers per repository and counts the requests. */
function notary() {
  let requests = 0;
  let failure: VerdictCode | undefined;
  return {
    loader: (repo: string) => async (): Promise<Loaded<{ repo: string; digest: string }>> => {
      requests++;
      if (failure) throw new TrustError(failure, `notary: ${failure}`);
      return { value: { repo, digest: `sha256:${repo.length}` }, expiresAtMs: T0 + 7 * 24 * 60 * MINUTE };
    },
    requests: () => requests,
    fail(code: VerdictCode) {
      failure = code;
    },
  };
}

/** One admission naming every repository, as the decision engine fans out over images. */
function admit(cache: ReturnType<typeof createCacheFromEnv>, origin: ReturnType<typeof notary>, nowMs: number) {
  return Promise.all(REPOS.map((repo) => cache.trustCache.getOrLoad(repo, origin.loader(repo), { nowMs, ...TTLS })));
}

describe('trust cache shared through DynamoDB', () => {
  describe('when a second instance admits what the first one verified', () => {
    it('makes no Notary request and one BatchGetItem for all repositories, then serves from memory', async () => {
      const origin = notary();
      const first = createCacheFromEnv(env);
      expect((await admit(first, origin, T0)).map((r) => r.source)).toEqual(['origin', 'origin', 'origin']);
      await first.flush();
      expect(origin.requests()).toBe(3);

      const second = createCacheFromEnv(env);
      db.resetCounts();
      const answers = await admit(second, origin, T0 + MINUTE);
      expect(answers.map((r) => r.source)).toEqual(['dynamodb', 'dynamodb', 'dynamodb']);
      expect(answers.map((r) => r.value.repo)).toEqual(REPOS);
      expect(origin.requests()).toBe(3);
      expect(db.requestCount('BatchGetItem')).toBe(1);
      expect(db.requestCount()).toBe(1);

      expect((await admit(second, origin, T0 + 2 * MINUTE)).map((r) => r.source)).toEqual([
        'memory',
        'memory',
        'memory',
      ]);
      expect(db.requestCount()).toBe(1);
    });
  });

  describe('when 200 admissions of one Deployment reach a cold instance together', () => {
    it('makes one BatchGetItem and no Notary request', async () => {
      const origin = notary();
      const warm = createCacheFromEnv(env);
      await admit(warm, origin, T0);
      await warm.flush();
      const cold = createCacheFromEnv(env);
      db.resetCounts();
      await Promise.all(Array.from({ length: 200 }, () => admit(cold, origin, T0 + MINUTE)));
      expect(db.requestCount('BatchGetItem')).toBe(1);
      expect(origin.requests()).toBe(3);
    });
  });

  describe('when Notary is down and another instance verified the repositories earlier', () => {
    it('serves stale verified data from DynamoDB within max-stale, and says so', async () => {
      const origin = notary();
      const first = createCacheFromEnv(env);
      await admit(first, origin, T0);
      await first.flush();
      origin.fail('NOTARY_UNREACHABLE');
      const observer = recordingObserver();
      const second = createCacheFromEnv(env, observer);
      const answers = await admit(second, origin, T0 + 30 * MINUTE);
      expect(answers.map((r) => r.source)).toEqual(['stale', 'stale', 'stale']);
      expect(observer.total(METRIC.staleServed)).toBe(3);
      await expect(admit(createCacheFromEnv(env), origin, T0 + 61 * MINUTE)).rejects.toMatchObject({
        code: 'NOTARY_UNREACHABLE',
      });
    });
  });

  describe('when DynamoDB is unreachable', () => {
    it('admissions still complete from Notary, and the store errors are counted', async () => {
      const origin = notary();
      const observer = recordingObserver();
      const cache = createCacheFromEnv({ ...env, AWS_ENDPOINT_URL_DYNAMODB: await closedPortEndpoint() }, observer);
      const answers = await admit(cache, origin, T0);
      expect(answers.map((r) => r.source)).toEqual(['origin', 'origin', 'origin']);
      await cache.flush();
      expect(observer.total(METRIC.cacheStoreErrors, 'read_error')).toBe(1);
      // The failed read opened the circuit breaker: the writes were skipped without waiting for DynamoDB.
      expect(observer.total(METRIC.cacheStoreErrors, 'circuit_open')).toBe(3);
      // The process's own memory still spares Notary on the next admission.
      expect((await admit(cache, origin, T0 + MINUTE)).map((r) => r.source)).toEqual(['memory', 'memory', 'memory']);
      expect(origin.requests()).toBe(3);
    });
  });
});
