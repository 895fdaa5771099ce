/**
 * Listing the manifests that refer to a subject (distribution-spec "Listing Referrers"): the referrers API
 * `GET /v2/<name>/referrers/<digest>?artifactType=…`, paged with `Link: rel="next"`, filtered here when the
 * registry did not apply the filter (`OCI-Filters-Applied`); when the registry has no such API (any 404 other than
 * `NAME_UNKNOWN`, or a 200 that is not an image index) the referrers tag schema: an index at `sha256-<hex>`.
 * Hosts found without the API are remembered for a while, so later listings go to the tag at once.
 */
import { TrustError } from '../errors';
import type { OciRegistryClient, RegistryRequestOptions, RepositoryRef } from './client';
import { errorCodes, MAX_MANIFEST_BYTES, RegistryNotFoundError } from './client';
import { type Descriptor, isDigest } from './descriptor';
import { nextLink, parseIndexManifests, referrersTag } from './image-index';
import { bareMediaType, MEDIA_TYPE } from './media-types';

/** Pages of one referrers listing followed before giving up (each up to 4 MiB). */
export const MAX_REFERRER_PAGES = 10;
/** Referrers of one subject considered at most; more is refused rather than silently cut (notation tries 100). */
export const MAX_REFERRERS = 1000;
/** How long a host that lacks the referrers API is asked by tag only (registries get upgraded). */
export const NO_REFERRERS_API_TTL_MS = 15 * 60_000;

export interface ReferrersResult {
  readonly referrers: readonly Descriptor[];
  /** How they were found: the referrers API, or the tag schema fallback. */
  readonly source: 'api' | 'tag';
}

/** Hosts seen without the referrers API, until when (epoch ms); one map per client. */
export interface ReferrersMemory {
  readonly withoutApi: Map<string, number>;
  readonly nowMs: number;
}

export async function listReferrers(
  client: OciRegistryClient,
  repo: RepositoryRef,
  subject: string,
  options: RegistryRequestOptions & { artifactType?: string },
  memory: ReferrersMemory,
): Promise<ReferrersResult> {
  if (!isDigest(subject)) {
    throw new TrustError('REGISTRY_ERROR', `Referrers are listed for a digest, not for ${subject}.`);
  }
  const { withoutApi, nowMs } = memory;
  const knownWithout = withoutApi.get(repo.host);
  if (knownWithout === undefined || knownWithout <= nowMs) {
    const found = await fromApi(client, repo, subject, options);
    if (found) return found;
    withoutApi.set(repo.host, nowMs + NO_REFERRERS_API_TTL_MS);
  }
  return fromTag(client, repo, subject, options);
}

async function fromApi(
  client: OciRegistryClient,
  repo: RepositoryRef,
  subject: string,
  options: RegistryRequestOptions & { artifactType?: string },
): Promise<ReferrersResult | undefined> {
  const step = `list referrers of ${repo.repository}@${subject}`;
  const query = options.artifactType ? `?artifactType=${encodeURIComponent(options.artifactType)}` : '';
  let path = `/v2/${repo.repository}/referrers/${subject}${query}`;
  const referrers: Descriptor[] = [];
  for (let page = 0; ; page++) {
    const request = { step, path, accept: MEDIA_TYPE.ociIndex, maxBytes: MAX_MANIFEST_BYTES };
    const response = await client.send(repo, request, options);
    const isIndex = bareMediaType(response.headers['content-type']) === MEDIA_TYPE.ociIndex;
    if (page === 0 && response.status === 404) {
      if (errorCodes(response.body).includes('NAME_UNKNOWN')) {
        throw new RegistryNotFoundError(
          'REGISTRY_ERROR',
          `${step}: Registry ${repo.host} has no repository ${repo.repository} (NAME_UNKNOWN).`,
        );
      }
      return undefined; // no referrers API here
    }
    if (page === 0 && response.status === 200 && !isIndex) return undefined;
    if (response.status !== 200 || !isIndex) {
      throw new TrustError(
        'REGISTRY_ERROR',
        `${step}: Registry ${repo.host} answered ${response.status} on page ${page + 1}.`,
      );
    }
    const entries = parseIndexManifests(response.body, `${step}: the answer of ${repo.host}`);
    const filtered = (response.headers['oci-filters-applied'] ?? '')
      .split(',')
      .map((filter) => filter.trim())
      .includes('artifactType');
    referrers.push(...(options.artifactType && !filtered ? byType(entries, options.artifactType) : entries));
    if (referrers.length > MAX_REFERRERS) {
      throw new TrustError('REGISTRY_ERROR', `${step}: more than ${MAX_REFERRERS} referrers; refused.`);
    }
    const next = nextLink(response.headers.link, new URL(path, 'https://registry.invalid').href);
    if (!next) return { referrers, source: 'api' };
    if (page + 1 >= MAX_REFERRER_PAGES) {
      throw new TrustError('REGISTRY_ERROR', `${step}: more than ${MAX_REFERRER_PAGES} pages of referrers; refused.`);
    }
    // A relative link stays on the registry; an absolute one must too (send() refuses other origins).
    path = next.startsWith('https://registry.invalid/') ? next.slice('https://registry.invalid'.length) : next;
  }
}

async function fromTag(
  client: OciRegistryClient,
  repo: RepositoryRef,
  subject: string,
  options: RegistryRequestOptions & { artifactType?: string },
): Promise<ReferrersResult> {
  const tag = referrersTag(subject);
  let bytes: Uint8Array;
  try {
    const fetched = await client.fetchManifest(repo, tag, options);
    if (fetched.descriptor.mediaType !== MEDIA_TYPE.ociIndex) return { referrers: [], source: 'tag' };
    bytes = fetched.bytes;
  } catch (error) {
    if (error instanceof RegistryNotFoundError) return { referrers: [], source: 'tag' };
    throw error;
  }
  const entries = parseIndexManifests(bytes, `the referrers tag ${repo.repository}:${tag} of ${repo.host}`);
  const referrers = options.artifactType ? byType(entries, options.artifactType) : entries;
  if (referrers.length > MAX_REFERRERS) {
    throw new TrustError(
      'REGISTRY_ERROR',
      `the referrers tag ${tag} lists more than ${MAX_REFERRERS} referrers; refused.`,
    );
  }
  return { referrers, source: 'tag' };
}

function byType(entries: readonly Descriptor[], artifactType: string): Descriptor[] {
  return entries.filter((entry) => entry.artifactType === artifactType);
}
