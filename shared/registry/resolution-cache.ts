/**
 * Resolutions (reference -> descriptor) kept briefly in memory, apart from verified trust data: a tag may move at
 * any time, so its digest is reused for seconds, not minutes. Concurrent resolutions of one reference share one
 * request (a SingleFlight: each caller waits only as long as its own deadline allows, and one admission's deadline
 * never fails another's wait). When the registry cannot answer (an outage or the caller's deadline, not a "no such
 * tag"), a resolution up to RESOLUTION_MAX_STALE_MS old stands in (stale-if-error), counted as StaleServed.
 */
import { BoundedMap } from '../cache/bounded-map';
import { SingleFlight } from '../cache/single-flight';
import type { Clock } from '../clock';
import { TrustError } from '../errors';
import { METRIC, type Observer } from '../observer';
import type { RepositoryRef } from './client';
import type { Descriptor } from './descriptor';

/**
 * A tag's digest is reused this long: short, so that a moved tag is seen within seconds, yet long enough that the
 * images of a rollout (many Pods admitted within a few seconds) cost one registry request per tag.
 */
export const RESOLUTION_FRESH_TTL_MS = 15_000;
/**
 * How old a resolution may be when it stands in for a registry that cannot answer: 5 minutes rides out a registry
 * restart or a short network partition, while bounding how long a tag moved during the outage goes unseen.
 */
export const RESOLUTION_MAX_STALE_MS = 5 * 60_000;
/** Entries kept per instance (oldest dropped first): a Lambda instance sees far fewer images. */
export const MAX_RESOLUTIONS = 5_000;

interface Entry {
  readonly descriptor: Descriptor;
  readonly atMs: number;
}

const isNotFound = (error: unknown) => (error as { notFound?: boolean } | undefined)?.notFound === true;

export class ResolutionCache {
  readonly #entries = new BoundedMap<string, Entry>(MAX_RESOLUTIONS);
  readonly #flights = new SingleFlight<string, Descriptor>();

  constructor(private readonly deps: { clock: Clock; observer: Observer }) {}

  /**
   * The cached descriptor while fresh (unless `fresh` asks the registry anyway), else `fetch`'s, shared by every
   * concurrent caller. `fetch` gets the flight's signal, not the caller's.
   */
  async resolve(
    repo: RepositoryRef,
    reference: string,
    options: { fresh?: boolean; signal?: AbortSignal },
    fetch: (signal: AbortSignal) => Promise<Descriptor>,
  ): Promise<Descriptor> {
    const key = `${repo.host}/${repo.repository}:${reference}`;
    const entry = this.#entries.get(key);
    if (!options.fresh && entry && this.deps.clock() - entry.atMs < RESOLUTION_FRESH_TTL_MS) return entry.descriptor;
    const flightKey = options.fresh ? `${key}#fresh` : key;
    try {
      return await this.#flights.run(flightKey, (signal) => this.#fetch(key, fetch, signal), options.signal);
    } catch (error) {
      const outage = (error instanceof TrustError && !isNotFound(error)) || options.signal?.aborted === true;
      if (outage) {
        const stale = this.#entries.get(key); // re-read: a flight that failed may have dropped it
        if (stale && this.deps.clock() - stale.atMs <= RESOLUTION_MAX_STALE_MS) {
          this.deps.observer.count(METRIC.staleServed, 1, { name: 'source', value: 'registry' });
          this.deps.observer.warn('registry resolution served stale', { key, error: (error as Error).message });
          return stale.descriptor;
        }
      }
      if (error instanceof TrustError) throw error;
      if (options.signal?.aborted) {
        throw new TrustError(
          'REGISTRY_UNREACHABLE',
          `resolve ${repo.repository}:${reference}: the admission deadline passed before registry ${repo.host} answered.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async #fetch(key: string, fetch: (signal: AbortSignal) => Promise<Descriptor>, signal: AbortSignal) {
    try {
      const descriptor = await fetch(signal);
      this.#entries.set(key, { descriptor, atMs: this.deps.clock() });
      return descriptor;
    } catch (error) {
      // The registry says the tag is gone: nothing may stand in for it.
      if (isNotFound(error)) this.#entries.delete(key);
      throw error;
    }
  }
}
