/**
 * Resolutions (reference -> descriptor) kept briefly in memory, apart from verified trust data: a tag may move at
 * any time, so its digest is reused for seconds, not minutes. Concurrent resolutions of one reference share one
 * request. When the registry cannot answer (an outage, not a "no such tag"), a resolution up to
 * RESOLUTION_MAX_STALE_MS old stands in (stale-if-error), counted as StaleServed.
 */
import type { Clock } from '../clock';
import { TrustError } from '../errors';
import { METRIC, type Observer } from '../observer';
import type { RepositoryRef } from './client';
import type { Descriptor } from './descriptor';

/** A tag's digest is reused this long: short, so that a moved tag is seen within seconds. */
export const RESOLUTION_FRESH_TTL_MS = 15_000;
/** How old a resolution may be when it stands in for a registry that cannot answer. */
export const RESOLUTION_MAX_STALE_MS = 5 * 60_000;
/** Entries kept per instance (oldest dropped first): a Lambda instance sees far fewer images. */
export const MAX_RESOLUTIONS = 5_000;

interface Entry {
  readonly descriptor: Descriptor;
  readonly atMs: number;
}

export class ResolutionCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<Descriptor>>();

  constructor(private readonly deps: { clock: Clock; observer: Observer }) {}

  async resolve(
    repo: RepositoryRef,
    reference: string,
    fresh: boolean,
    fetch: () => Promise<Descriptor>,
  ): Promise<Descriptor> {
    const key = `${repo.host}/${repo.repository}:${reference}`;
    const entry = this.#entries.get(key);
    if (!fresh && entry && this.deps.clock() - entry.atMs < RESOLUTION_FRESH_TTL_MS) return entry.descriptor;
    const flightKey = fresh ? `${key}#fresh` : key;
    let pending = this.#inFlight.get(flightKey);
    if (!pending) {
      pending = this.#fetch(key, entry, fetch).finally(() => this.#inFlight.delete(flightKey));
      this.#inFlight.set(flightKey, pending);
    }
    return pending;
  }

  async #fetch(key: string, entry: Entry | undefined, fetch: () => Promise<Descriptor>): Promise<Descriptor> {
    try {
      const descriptor = await fetch();
      this.#entries.delete(key); // re-inserted last: the Map's order is the eviction order
      this.#entries.set(key, { descriptor, atMs: this.deps.clock() });
      if (this.#entries.size > MAX_RESOLUTIONS) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      return descriptor;
    } catch (error) {
      const outage = error instanceof TrustError && !(error as { notFound?: boolean }).notFound;
      if (outage && entry && this.deps.clock() - entry.atMs <= RESOLUTION_MAX_STALE_MS) {
        this.deps.observer.count(METRIC.staleServed, 1, { name: 'source', value: 'registry' });
        this.deps.observer.warn('registry resolution served stale', { key, error: (error as Error).message });
        return entry.descriptor;
      }
      if (error instanceof TrustError && (error as { notFound?: boolean }).notFound) this.#entries.delete(key);
      throw error;
    }
  }
}
