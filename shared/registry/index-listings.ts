/**
 * What one manifest digest of a repository is, as far as multi-arch checks need it: an image index and the
 * platform manifests it lists, or not an index. Content-addressed: the bytes behind a digest never change (the
 * client hashes them against it), so an answer, once read, holds for good. Kept in instance memory (bounded,
 * least recently used dropped first) per repository, so that a warm admission of a platform digest through a
 * signed index asks the registry nothing. Failures and "no such manifest" are never kept: the registry may hold
 * the index later, and an outage must not become an answer.
 */
import { BoundedMap } from '../cache/bounded-map';
import { SingleFlight } from '../cache/single-flight';
import type { RegistryClient, RegistryRequestOptions, RepositoryRef } from './client';
import type { Descriptor } from './descriptor';
import { parseIndexManifests } from './image-index';
import { isIndexMediaType } from './media-types';

/**
 * Listings kept per instance. A policy's Notary v1 repositories sign a handful of multi-arch tags each; 500 covers
 * hundreds of repositories, and with MAX_KEPT_ENTRIES bounds the memory to about 500 x 128 x 200 B = 13 MB.
 */
export const MAX_LISTINGS = 500;
/**
 * Entries of one index kept. Real multi-arch indexes list 2-20 manifests (platforms plus buildx attestation
 * manifests); an index listing more is still used, just read again on each use (never cached half).
 */
export const MAX_KEPT_ENTRIES = 128;

export type IndexListing =
  | { readonly index: false }
  | { readonly index: true; readonly mediaType: string; readonly manifests: readonly Descriptor[] };

export class IndexListings {
  readonly #entries = new BoundedMap<string, IndexListing>(MAX_LISTINGS);
  readonly #flights = new SingleFlight<string, IndexListing>();

  constructor(private readonly registry: RegistryClient) {}

  /** How many listings are kept (tests, diagnostics). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The listing of `digest` in `repo`: from memory, else one `HEAD` (cached by the client) and, for an index, one
   * manifest `GET` by digest. Throws the client's TrustError (RegistryNotFoundError for a digest it does not hold).
   */
  async listing(repo: RepositoryRef, digest: string, options: RegistryRequestOptions = {}): Promise<IndexListing> {
    const key = `${repo.host}/${repo.repository}@${digest.toLowerCase()}`;
    const kept = this.#entries.touch(key);
    if (kept) return kept;
    return this.#flights.run(key, (signal) => this.#read(key, repo, digest, signal), options.signal);
  }

  async #read(key: string, repo: RepositoryRef, digest: string, signal: AbortSignal): Promise<IndexListing> {
    const head = await this.registry.resolve(repo, digest, { signal });
    if (!isIndexMediaType(head.mediaType)) return this.#keep(key, { index: false });
    const { descriptor, bytes } = await this.registry.fetchManifest(repo, digest, { signal });
    if (!isIndexMediaType(descriptor.mediaType)) return this.#keep(key, { index: false });
    const manifests = parseIndexManifests(bytes, `the index ${digest} of ${repo.host}/${repo.repository}`).map(
      ({ mediaType, digest: entry, size, platform }) => ({
        mediaType,
        digest: entry,
        size,
        ...(platform && { platform }),
      }),
    );
    const listing: IndexListing = { index: true, mediaType: descriptor.mediaType, manifests };
    return manifests.length <= MAX_KEPT_ENTRIES ? this.#keep(key, listing) : listing;
  }

  #keep(key: string, listing: IndexListing): IndexListing {
    this.#entries.set(key, listing);
    return listing;
  }
}
