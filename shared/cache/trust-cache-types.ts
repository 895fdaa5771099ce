import type { TrustSource } from '../verify/types';

/** What a loader returns: the verified value and the instant after which it must never be used. */
export interface Loaded<T> {
  readonly value: T;
  /** Hard expiry, e.g. the earliest `expires` of the TUF metadata behind the value (epoch ms). */
  readonly expiresAtMs: number;
}

export interface GetOrLoadOptions {
  readonly nowMs: number;
  /** Served from cache without asking the origin while younger than this. */
  readonly freshTtlMs: number;
  /** When the origin fails, a cached value up to this age is used (never past its expiresAtMs). */
  readonly maxStaleMs: number;
  /** Called in the tick of the store read when it goes past memory to the shared tier (see ReadHooks). */
  readonly onSharedRead?: () => void;
  /**
   * The caller's deadline: when it aborts, this caller stops waiting (rejected with its reason) while the load
   * goes on for the other callers of the same key. The load gets its own signal, aborted when none is left.
   */
  readonly signal?: AbortSignal;
}

/**
 * Verified trust data per repository, in memory in front of the shared store. Concurrent calls for one key
 * make one load (single flight), which runs with its own signal, never one caller's. Errors whose code is NOT_SIGNED are cached briefly (negative entry).
 * Only verified values are ever put here: raw metadata is never a cache hit.
 */
export interface TrustCache {
  getOrLoad<T>(
    key: string,
    load: (signal: AbortSignal) => Promise<Loaded<T>>,
    options: GetOrLoadOptions,
  ): Promise<{ value: T; source: TrustSource }>;
}
