/**
 * In-process cache of verified revocation answers (OCSP by CertID, CRLs by URL and issuer), bounded in entries,
 * each valid over [validFromMs, expiresAtMs] of the evaluation clock (the answer's thisUpdate to its nextUpdate,
 * cut to a maximum age by the caller). Concurrent lookups of one key share a single download, so a Pod whose
 * images share a CA costs one OCSP request, not one per image. Only verified answers are stored: a failure is
 * retried on the next admission.
 */
export interface CachedAnswer<V> {
  readonly value: V;
  readonly validFromMs: number;
  readonly expiresAtMs: number;
}

export class AnswerCache<V> {
  readonly #entries = new Map<string, CachedAnswer<V>>();
  readonly #inFlight = new Map<string, Promise<CachedAnswer<V>>>();

  constructor(private readonly maxEntries: number) {}

  /** The cached answer valid at `nowMs`, else `load()`'s (stored when it resolves). */
  async get(key: string, nowMs: number, load: () => Promise<CachedAnswer<V>>): Promise<V> {
    const cached = this.#entries.get(key);
    if (cached && cached.validFromMs <= nowMs && nowMs < cached.expiresAtMs) return cached.value;
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = load().finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    const answer = await pending;
    this.#store(key, answer);
    return answer.value;
  }

  get size(): number {
    return this.#entries.size;
  }

  #store(key: string, answer: CachedAnswer<V>): void {
    this.#entries.delete(key);
    this.#entries.set(key, answer);
    // Oldest insertion first out: Map iteration order is insertion order.
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}
