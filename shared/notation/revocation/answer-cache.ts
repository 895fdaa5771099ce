/**
 * In-process cache of verified revocation answers (OCSP by CertID, CRLs by URL and issuer), bounded in entries,
 * each valid over [validFromMs, expiresAtMs] of the evaluation clock (the answer's thisUpdate to its nextUpdate,
 * cut to a maximum age by the caller). Concurrent lookups of one key share a single download, so a Pod whose
 * images share a CA costs one OCSP request, not one per image. Only verified answers are stored: a failure is
 * retried on the next admission.
 *
 * The shared download runs with a signal of its own (SingleFlight), never the first admission's: each admission
 * stops waiting at its own deadline, and the download is bounded by the fetcher's own timeout and byte ceiling.
 */
import { BoundedMap } from '../../cache/bounded-map';
import { SingleFlight } from '../../cache/single-flight';

export interface CachedAnswer<V> {
  readonly value: V;
  readonly validFromMs: number;
  readonly expiresAtMs: number;
}

export class AnswerCache<V> {
  readonly #entries: BoundedMap<string, CachedAnswer<V>>;
  readonly #flights = new SingleFlight<string, CachedAnswer<V>>();

  constructor(maxEntries: number) {
    this.#entries = new BoundedMap(maxEntries);
  }

  /**
   * The cached answer valid at `nowMs`, else `load()`'s (stored when it resolves). `signal` bounds only this
   * caller's wait; `load` gets the shared download's signal.
   */
  async get(
    key: string,
    nowMs: number,
    load: (signal: AbortSignal) => Promise<CachedAnswer<V>>,
    signal?: AbortSignal,
  ): Promise<V> {
    const cached = this.#entries.get(key);
    if (cached && cached.validFromMs <= nowMs && nowMs < cached.expiresAtMs) return cached.value;
    try {
      const answer = await this.#flights.run(
        key,
        async (shared) => {
          const loaded = await load(shared);
          this.#store(key, loaded);
          return loaded;
        },
        signal,
      );
      return answer.value;
    } catch (error) {
      // This caller's wait ended at its deadline (the wait rejects with the signal's reason, whatever that is).
      if (signal?.aborted) throw new Error('the download was abandoned: the deadline passed', { cause: error });
      throw error;
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  #store(key: string, answer: CachedAnswer<V>): void {
    this.#entries.set(key, answer);
  }
}
