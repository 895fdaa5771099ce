/**
 * Verified trust data per repository: fresh hits from the store, single-flighted loads from the origin (Notary),
 * stale-if-error when Notary fails, and short negative entries for repositories without trust data.
 *
 * Only what `load()` returns is stored, and `load()` returns verified data: raw metadata is never a cache hit.
 */
import { NEGATIVE_CACHE_CODES, NotaryGateError, ORIGIN_OUTAGE_CODES, TrustError, type VerdictCode } from '../errors';
import { METRIC, type Observer, silentObserver } from '../observer';
import type { TrustSource } from '../verify/types';
import { SingleFlight } from './single-flight';
import type { GetOrLoadOptions, Loaded, TrustCache } from './trust-cache-types';
import type { KeyValueStore, StoreTier, TieredRead } from './types';

export interface TieredTrustCacheOptions {
  readonly store: KeyValueStore;
  readonly observer?: Observer;
  /** How long "this repository has no trust data" is remembered; short, so that signing it takes effect soon. */
  readonly negativeTtlMs?: number;
}

export const DEFAULT_NEGATIVE_TTL_MS = 30_000;

/** Namespace of trust entries in the shared store (tokens, roots and versions use their own prefixes). */
export const TRUST_KEY_PREFIX = 'trust#';

/**
 * Errors that say the origin could not answer, not that the data is bad: only these may fall back to stale data.
 * Every format's: the `origin-outage` codes of the table in shared/errors.ts.
 */
const OUTAGE_CODES: ReadonlySet<string> = new Set(ORIGIN_OUTAGE_CODES);
/** Errors remembered briefly as negative entries (the table's `negative` codes). */
const NEGATIVE_CODES: ReadonlySet<string> = new Set(NEGATIVE_CACHE_CODES);

/** What the store holds under a trust key. */
type TrustEntry<T> =
  | { readonly kind: 'value'; readonly value: T }
  | { readonly kind: 'negative'; readonly code: VerdictCode; readonly reason: string };

type Result<T> = { value: T; source: TrustSource };

export class TieredTrustCache implements TrustCache {
  private readonly store: KeyValueStore;
  private readonly observer: Observer;
  private readonly negativeTtlMs: number;
  private readonly flights = new SingleFlight<string, Result<unknown>>();

  constructor(options: TieredTrustCacheOptions) {
    this.store = options.store;
    this.observer = options.observer ?? silentObserver;
    this.negativeTtlMs = options.negativeTtlMs ?? DEFAULT_NEGATIVE_TTL_MS;
  }

  /**
   * Concurrent calls for one key share one run: one store read and at most one load, however many admissions
   * of the same repository arrive together. Later callers get the first caller's result (and instant). The load
   * runs with a signal of its own: each caller stops waiting when its own `options.signal` aborts, and the load
   * is aborted only once every caller has stopped waiting (see SingleFlight).
   */
  getOrLoad<T>(
    key: string,
    load: (signal: AbortSignal) => Promise<Loaded<T>>,
    options: GetOrLoadOptions,
  ): Promise<Result<T>> {
    return this.flights.run(key, (signal) => this.resolve(key, load, signal, options), options.signal) as Promise<
      Result<T>
    >;
  }

  private async resolve<T>(
    key: string,
    load: (signal: AbortSignal) => Promise<Loaded<T>>,
    signal: AbortSignal,
    options: GetOrLoadOptions,
  ): Promise<Result<T>> {
    const { nowMs, freshTtlMs, maxStaleMs } = options;
    const storeKey = TRUST_KEY_PREFIX + key;
    const cached = await this.read<T>(storeKey, nowMs, options.onSharedRead);
    // Negative age: the entry was written after the evaluation instant (an audit with `--at` in the past), so it
    // says nothing about that instant and is neither fresh nor usable as stale.
    const age = cached ? nowMs - cached.item.storedAtMs : Number.NaN;

    if (cached?.item.value.kind === 'negative') {
      this.countHit(cached.tier);
      throw new TrustError(cached.item.value.code, cached.item.value.reason);
    }
    if (cached && age >= 0 && age < freshTtlMs) {
      this.countHit(cached.tier);
      return { value: cached.item.value.value, source: cached.tier };
    }
    this.observer.count(METRIC.cacheMisses, 1, { name: 'reason', value: cached ? 'not_fresh' : 'absent' });

    let loaded: Loaded<T>;
    try {
      loaded = await load(signal);
    } catch (error) {
      const code = codeOf(error);
      if (code !== undefined && NEGATIVE_CODES.has(code)) {
        const negative: TrustEntry<T> = { kind: 'negative', code, reason: (error as Error).message };
        this.remember(storeKey, negative, { storedAtMs: nowMs, expiresAtMs: nowMs + this.negativeTtlMs });
        throw error;
      }
      if (code !== undefined && OUTAGE_CODES.has(code) && cached && age >= 0 && age < maxStaleMs) {
        // The store already refused entries past their expiresAtMs, which never exceeds the metadata's own expiry.
        this.observer.count(METRIC.staleServed);
        this.observer.warn('Notary failed; serving verified trust data from the cache (stale-if-error)', {
          key,
          code,
          ageMs: age,
          maxStaleMs,
        });
        return { value: cached.item.value.value, source: 'stale' };
      }
      throw error;
    }

    // Keep the value long enough to serve stale-if-error, but never past the metadata's own expiry.
    const keepForMs = Math.max(freshTtlMs, maxStaleMs);
    this.remember(
      storeKey,
      { kind: 'value', value: loaded.value },
      { storedAtMs: nowMs, expiresAtMs: Math.min(loaded.expiresAtMs, nowMs + keepForMs) },
    );
    return { value: loaded.value, source: 'origin' };
  }

  /** The entry under storeKey; one of an unknown shape (written by something else) is a miss. */
  private async read<T>(
    storeKey: string,
    nowMs: number,
    onSharedRead?: () => void,
  ): Promise<TieredRead<TrustEntry<T>> | undefined> {
    const read = this.store.getWithTier
      ? await this.store.getWithTier<unknown>(storeKey, nowMs, { onSharedRead })
      : await this.store.get<unknown>(storeKey, nowMs).then((item) => item && { item, tier: 'memory' as const });
    if (!read) return undefined;
    if (!isTrustEntry<T>(read.item.value)) {
      this.observer.warn('ignored a trust cache entry of unknown shape', { key: storeKey });
      return undefined;
    }
    return read as TieredRead<TrustEntry<T>>;
  }

  /** Fire and forget: the write must not sit on the admission's path (the store tracks it; flush() awaits it). */
  private remember<T>(storeKey: string, entry: TrustEntry<T>, at: { storedAtMs: number; expiresAtMs: number }): void {
    if (at.expiresAtMs <= at.storedAtMs) return;
    void this.store.put(storeKey, { value: entry, ...at }).catch((error: unknown) => {
      // Stores in this folder never reject; a foreign store might.
      this.observer.warn('trust cache write failed', { key: storeKey, error: String(error) });
    });
  }

  private countHit(tier: StoreTier): void {
    this.observer.count(METRIC.cacheHits, 1, { name: 'tier', value: tier });
  }
}

function isTrustEntry<T>(value: unknown): value is TrustEntry<T> {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  if (entry.kind === 'value') return 'value' in entry;
  return entry.kind === 'negative' && typeof entry.code === 'string' && typeof entry.reason === 'string';
}

function codeOf(error: unknown): VerdictCode | undefined {
  return error instanceof NotaryGateError ? (error.code as VerdictCode) : undefined;
}
