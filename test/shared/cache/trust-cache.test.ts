import { MemoryStore } from '../../../shared/cache/memory-store';
import { TieredTrustCache, TRUST_KEY_PREFIX } from '../../../shared/cache/trust-cache';
import type { Loaded } from '../../../shared/cache/trust-cache-types';
import { TrustError, type VerdictCode } from '../../../shared/errors';
import { METRIC } from '../../../shared/observer';
import { recordingObserver } from './recording-observer';

const T0 = Date.UTC(2026, 0, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** The policy defaults: fresh for 5 minutes, usable for an hour when Notary fails. */
const TTLS = { freshTtlMs: 5 * MINUTE, maxStaleMs: HOUR };
const at = (nowMs: number) => ({ nowMs, ...TTLS });

interface Verified {
  readonly digest: string;
}

/** An origin (Notary) that answers what it is told to and counts how often it was asked. */
function origin(metadataExpiresAtMs = T0 + 30 * 24 * HOUR) {
  let calls = 0;
  let next: () => Promise<Loaded<Verified>> = async () => ({
    value: { digest: `sha256:${calls}` },
    expiresAtMs: metadataExpiresAtMs,
  });
  return {
    load: () => {
      calls++;
      return next();
    },
    calls: () => calls,
    failWith(code: VerdictCode) {
      next = async () => {
        throw new TrustError(code, `origin says ${code}`);
      };
    },
    recover() {
      next = async () => ({ value: { digest: `sha256:${calls}` }, expiresAtMs: metadataExpiresAtMs });
    },
  };
}

function setup(options: { negativeTtlMs?: number } = {}) {
  const observer = recordingObserver();
  const store = new MemoryStore();
  const cache = new TieredTrustCache({ store, observer, ...options });
  return { observer, store, cache };
}

describe('trust cache', () => {
  describe('when a repository is asked for twice within the fresh TTL', () => {
    it('loads it once, and the second answer comes from memory', async () => {
      const { cache, observer } = setup();
      const notary = origin();
      await expect(cache.getOrLoad('repo', notary.load, at(T0))).resolves.toEqual({
        value: { digest: 'sha256:1' },
        source: 'origin',
      });
      await expect(cache.getOrLoad('repo', notary.load, at(T0 + 4 * MINUTE))).resolves.toEqual({
        value: { digest: 'sha256:1' },
        source: 'memory',
      });
      expect(notary.calls()).toBe(1);
      expect(observer.total(METRIC.cacheHits, 'memory')).toBe(1);
      expect(observer.total(METRIC.cacheMisses, 'absent')).toBe(1);
    });
  });

  describe('when the fresh TTL has passed', () => {
    it('loads again from the origin', async () => {
      const { cache, observer } = setup();
      const notary = origin();
      await cache.getOrLoad('repo', notary.load, at(T0));
      await expect(cache.getOrLoad('repo', notary.load, at(T0 + 5 * MINUTE))).resolves.toEqual({
        value: { digest: 'sha256:2' },
        source: 'origin',
      });
      expect(notary.calls()).toBe(2);
      expect(observer.total(METRIC.cacheMisses, 'not_fresh')).toBe(1);
    });
  });

  describe('when 200 admissions ask for one repository at once', () => {
    it('loads it once and gives all of them the same answer', async () => {
      const { cache } = setup();
      const notary = origin();
      const answers = await Promise.all(
        Array.from({ length: 200 }, () => cache.getOrLoad('repo', notary.load, at(T0))),
      );
      expect(notary.calls()).toBe(1);
      expect(new Set(answers.map((a) => a.value.digest))).toEqual(new Set(['sha256:1']));
    });

    it('loads once when the load fails too, and every caller sees the failure', async () => {
      const { cache } = setup();
      const notary = origin();
      notary.failWith('SIGNATURE_INVALID');
      const answers = await Promise.allSettled(
        Array.from({ length: 200 }, () => cache.getOrLoad('repo', notary.load, at(T0))),
      );
      expect(notary.calls()).toBe(1);
      expect(answers.every((a) => a.status === 'rejected' && a.reason.code === 'SIGNATURE_INVALID')).toBe(true);
    });

    it('keeps different repositories apart', async () => {
      const { cache } = setup();
      const notary = origin();
      await Promise.all(['a', 'b', 'a', 'b'].map((key) => cache.getOrLoad(key, notary.load, at(T0))));
      expect(notary.calls()).toBe(2);
    });
  });

  describe('when admissions with different deadlines wait on one load', () => {
    /** An origin that answers when released and, like the HTTP transport, fails when the signal it is given aborts. */
    function heldOrigin() {
      const signals: AbortSignal[] = [];
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const load = async (signal: AbortSignal): Promise<Loaded<Verified>> => {
        signals.push(signal);
        await new Promise<void>((resolve, reject) => {
          signal.addEventListener('abort', () => reject(new TrustError('NOTARY_UNREACHABLE', 'aborted')), {
            once: true,
          });
          void released.then(resolve);
        });
        return { value: { digest: 'sha256:verified' }, expiresAtMs: T0 + HOUR };
      };
      /** Resolves once `count` loads have started (the store is read first, asynchronously). */
      const started = async (count: number) => {
        for (let turn = 0; turn < 100 && signals.length < count; turn++) await new Promise(setImmediate);
        expect(signals).toHaveLength(count);
      };
      return { load, signals, started, release: () => release() };
    }

    it('gives the later admission the verified result after the first one has passed its own deadline', async () => {
      const { cache } = setup();
      const notary = heldOrigin();
      const short = new AbortController();
      const long = new AbortController();
      const first = cache.getOrLoad('repo', notary.load, { ...at(T0), signal: short.signal });
      const second = cache.getOrLoad('repo', notary.load, { ...at(T0), signal: long.signal });
      await notary.started(1);
      short.abort(new Error('first admission deadline'));
      // The first stops waiting at its own deadline, before the load has answered...
      await expect(first).rejects.toThrow('first admission deadline');
      // ...while the load goes on for the second, with a signal that is not the first admission's.
      expect(notary.signals[0]!.aborted).toBe(false);
      notary.release();
      await expect(second).resolves.toEqual({ value: { digest: 'sha256:verified' }, source: 'origin' });
      // Settled, its signal aborts: whatever the load left running stops.
      expect(notary.signals[0]!.aborted).toBe(true);
    });

    it('aborts the load once every admission has stopped waiting, and a newcomer starts a fresh one', async () => {
      const { cache } = setup();
      const notary = heldOrigin();
      const callers = [new AbortController(), new AbortController()];
      const waits = callers.map((c) => cache.getOrLoad('repo', notary.load, { ...at(T0), signal: c.signal }));
      await notary.started(1);
      callers[0]!.abort(new Error('deadline 1'));
      await expect(waits[0]).rejects.toThrow('deadline 1');
      expect(notary.signals[0]!.aborted).toBe(false);
      callers[1]!.abort(new Error('deadline 2'));
      await expect(waits[1]).rejects.toThrow('deadline 2');
      expect(notary.signals[0]!.aborted).toBe(true);

      const newcomer = cache.getOrLoad('repo', notary.load, at(T0));
      await notary.started(2);
      expect(notary.signals[1]!.aborted).toBe(false);
      notary.release();
      await expect(newcomer).resolves.toMatchObject({ source: 'origin' });
    });

    it('rejects a caller whose deadline has already passed without starting a load', async () => {
      const { cache } = setup();
      const notary = heldOrigin();
      const gone = AbortSignal.abort(new Error('too late'));
      await expect(cache.getOrLoad('repo', notary.load, { ...at(T0), signal: gone })).rejects.toThrow('too late');
      expect(notary.signals).toHaveLength(0);
    });
  });

  describe('when Notary fails after the fresh TTL (stale-if-error)', () => {
    it.each<VerdictCode>(['NOTARY_UNREACHABLE', 'NOTARY_ERROR'])(
      'serves the cached verified data on %s, says it is stale, and counts it',
      async (code) => {
        const { cache, observer } = setup();
        const notary = origin();
        await cache.getOrLoad('repo', notary.load, at(T0));
        notary.failWith(code);
        await expect(cache.getOrLoad('repo', notary.load, at(T0 + 30 * MINUTE))).resolves.toEqual({
          value: { digest: 'sha256:1' },
          source: 'stale',
        });
        expect(observer.total(METRIC.staleServed)).toBe(1);
        expect(observer.warnings).toHaveLength(1);
      },
    );

    it('refuses data older than max-stale and rethrows the outage', async () => {
      const { cache } = setup();
      const notary = origin();
      await cache.getOrLoad('repo', notary.load, at(T0));
      notary.failWith('NOTARY_UNREACHABLE');
      await expect(cache.getOrLoad('repo', notary.load, at(T0 + HOUR - 1))).resolves.toMatchObject({ source: 'stale' });
      await expect(cache.getOrLoad('repo', notary.load, at(T0 + HOUR))).rejects.toMatchObject({
        code: 'NOTARY_UNREACHABLE',
      });
    });

    it("judges the age by the caller's max-stale, even when the entry was kept longer", async () => {
      const { cache } = setup();
      const notary = origin();
      await cache.getOrLoad('repo', notary.load, at(T0));
      notary.failWith('NOTARY_UNREACHABLE');
      const strict = { nowMs: T0 + 30 * MINUTE, freshTtlMs: MINUTE, maxStaleMs: 10 * MINUTE };
      await expect(cache.getOrLoad('repo', notary.load, strict)).rejects.toMatchObject({ code: 'NOTARY_UNREACHABLE' });
    });

    it("never serves data past the metadata's own expiry, even within max-stale", async () => {
      const { cache } = setup();
      const notary = origin(T0 + 10 * MINUTE);
      await cache.getOrLoad('repo', notary.load, at(T0));
      notary.failWith('NOTARY_UNREACHABLE');
      await expect(cache.getOrLoad('repo', notary.load, at(T0 + 10 * MINUTE - 1))).resolves.toMatchObject({
        source: 'stale',
      });
      await expect(cache.getOrLoad('repo', notary.load, at(T0 + 10 * MINUTE))).rejects.toMatchObject({
        code: 'NOTARY_UNREACHABLE',
      });
    });

    it('does not hide verification failures behind stale data', async () => {
      const { cache, observer } = setup();
      const notary = origin();
      await cache.getOrLoad('repo', notary.load, at(T0));
      notary.failWith('ROLLBACK');
      await expect(cache.getOrLoad('repo', notary.load, at(T0 + 30 * MINUTE))).rejects.toMatchObject({
        code: 'ROLLBACK',
      });
      expect(observer.total(METRIC.staleServed)).toBe(0);
    });
  });

  describe('when the load fails with a verification error', () => {
    it('does not cache it: the next call asks the origin again', async () => {
      const { cache } = setup();
      const notary = origin();
      notary.failWith('SIGNATURE_INVALID');
      await expect(cache.getOrLoad('repo', notary.load, at(T0))).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
      notary.recover();
      await expect(cache.getOrLoad('repo', notary.load, at(T0 + 1))).resolves.toMatchObject({ source: 'origin' });
      expect(notary.calls()).toBe(2);
    });
  });

  describe('when a repository has no trust data (NOT_SIGNED)', () => {
    it('remembers it for the negative TTL and rethrows it from the cache', async () => {
      const { cache } = setup({ negativeTtlMs: 30 * SECOND });
      const notary = origin();
      notary.failWith('NOT_SIGNED');
      await expect(cache.getOrLoad('repo', notary.load, at(T0))).rejects.toMatchObject({ code: 'NOT_SIGNED' });
      const fromCache = cache.getOrLoad('repo', notary.load, at(T0 + 29 * SECOND));
      await expect(fromCache).rejects.toBeInstanceOf(TrustError);
      await expect(fromCache).rejects.toMatchObject({ code: 'NOT_SIGNED', message: 'origin says NOT_SIGNED' });
      expect(notary.calls()).toBe(1);
    });

    it('asks again once the negative TTL has passed (signing a repository takes effect soon)', async () => {
      const { cache } = setup({ negativeTtlMs: 30 * SECOND });
      const notary = origin();
      notary.failWith('NOT_SIGNED');
      await expect(cache.getOrLoad('repo', notary.load, at(T0))).rejects.toMatchObject({ code: 'NOT_SIGNED' });
      notary.recover();
      await expect(cache.getOrLoad('repo', notary.load, at(T0 + 30 * SECOND))).resolves.toMatchObject({
        source: 'origin',
      });
    });
  });

  describe('what is written to the store', () => {
    it('keeps a value for max-stale, never past the metadata expiry', async () => {
      const { cache, store } = setup();
      await cache.getOrLoad('long', origin(T0 + 30 * 24 * HOUR).load, at(T0));
      await cache.getOrLoad('short', origin(T0 + 10 * MINUTE).load, at(T0));
      expect((await store.get(`${TRUST_KEY_PREFIX}long`, T0))?.expiresAtMs).toBe(T0 + HOUR);
      expect((await store.get(`${TRUST_KEY_PREFIX}short`, T0))?.expiresAtMs).toBe(T0 + 10 * MINUTE);
    });

    it('does not store a value that is already expired at the evaluation instant', async () => {
      const { cache, store } = setup();
      await cache.getOrLoad('repo', origin(T0).load, at(T0));
      expect(store.stats().entries).toBe(0);
    });
  });

  describe('when the store holds something under the key that is not a trust entry', () => {
    it('treats it as a miss and loads from the origin', async () => {
      const { cache, store, observer } = setup();
      await store.put(`${TRUST_KEY_PREFIX}repo`, { value: 'garbage', storedAtMs: T0, expiresAtMs: T0 + HOUR });
      await expect(cache.getOrLoad('repo', origin().load, at(T0 + 1))).resolves.toMatchObject({ source: 'origin' });
      expect(observer.warnings).toHaveLength(1);
    });
  });

  describe('when the evaluation instant is before the entry was written (an audit with --at)', () => {
    it('does not treat the newer entry as fresh and asks the origin', async () => {
      const { cache } = setup();
      const notary = origin();
      await cache.getOrLoad('repo', notary.load, at(T0));
      await expect(cache.getOrLoad('repo', notary.load, at(T0 - HOUR))).resolves.toMatchObject({ source: 'origin' });
      expect(notary.calls()).toBe(2);
    });
  });
});
