/**
 * Multi-arch images under Notary v1: `docker trust sign` signs the tag's top manifest, which for a multi-platform
 * image is an image index (OCI index or Docker manifest list). A Pod pinned to one platform's manifest digest is
 * then not itself signed, yet the signed index vouches for it when the registry serves that index (bytes checked
 * against the signed digest) with the digest among its `manifests` (CONTRACT.md, "registries:").
 *
 * Only asked when the plain TUF resolution denied a digest reference and the policy names the image's registry in
 * `registries:` (without it, behaviour is as before: no registry traffic). A registry failure never admits: the
 * denial stands, with the registry's code and step in its reason.
 */
import { TrustError } from '../errors';
import type { ImageReference } from '../image/types';
import { RegistryNotFoundError } from '../registry/client';
import { formatPlatform } from '../registry/descriptor';
import type { IndexListings } from '../registry/index-listings';
import type { RegistriesConfig } from '../registry/settings';
import type { ImageVerdict, VerifyContext } from '../verify/types';
import { NOTARY_V1_FORMAT } from './format-name';
import { findTag, roleTargets, trustedRoles } from './tuf/resolve';
import type { VerifiedTrust } from './tuf/types';

/**
 * The most signed digests of one repository fetched as candidate indexes for one image. A repository signs a
 * handful of tags that are multi-arch (releases, `latest`); 16 covers that while bounding the registry requests
 * one unsigned digest can cause (each candidate costs a cached HEAD and at most one manifest GET of 4 MiB).
 */
export const MAX_INDEXES_TRIED = 16;

export interface IndexCandidate {
  readonly tag: string;
  readonly role: string;
  readonly digest: string;
}

export interface IndexVouchingDeps {
  /** What each signed digest is (index or not, and what it lists), cached: a warm vouching asks no registry. */
  readonly listings: IndexListings;
}

/** Whether the image's registry is configured, so that multi-arch vouching may be tried. */
export function vouchingApplies(ref: ImageReference, registries: RegistriesConfig | undefined): boolean {
  return registries !== undefined && Object.hasOwn(registries, ref.domain.toLowerCase());
}

/**
 * The signed digests that may be an index listing the image, in docker's role order, deduplicated, at most
 * MAX_INDEXES_TRIED: for `tag@digest` only the tag's signed digest (the first trusted role that signs the tag),
 * for a digest alone every signed tag's digest.
 */
export function indexCandidates(
  ref: ImageReference,
  trust: VerifiedTrust,
  delegations: readonly string[] | undefined,
): IndexCandidate[] {
  const roles = trustedRoles(delegations);
  const image = ref.digest?.toLowerCase();
  if (ref.tag !== undefined) {
    // tag@digest: the tag resolves in its first trusted role only, as docker resolves it
    const signed = findTag(trust, roles, ref.tag);
    if (!signed || signed.target.digest === image) return [];
    return [{ tag: signed.tag, role: signed.role, digest: signed.target.digest }];
  }
  const candidates: IndexCandidate[] = [];
  const seen = new Set<string>();
  for (const role of roles) {
    for (const [tag, target] of Object.entries(roleTargets(trust, role))) {
      if (seen.has(target.digest) || target.digest === image) continue;
      seen.add(target.digest);
      candidates.push({ tag, role, digest: target.digest });
      if (candidates.length >= MAX_INDEXES_TRIED) return candidates;
    }
  }
  return candidates;
}

/**
 * The admission through a signed index that lists the image's digest, or the denial as it was (enriched with the
 * registry's code when the registry failed). Candidates are tried one after another, so a denial costs at most
 * MAX_INDEXES_TRIED lookups (none for a digest whose listing is kept), and the first registry failure ends the
 * search (the next would most likely fail too, and the admission's deadline is short).
 */
export async function vouchThroughIndex(
  ref: ImageReference,
  denial: ImageVerdict,
  candidates: readonly IndexCandidate[],
  deps: IndexVouchingDeps,
  ctx: VerifyContext,
): Promise<ImageVerdict> {
  const digest = ref.digest?.toLowerCase();
  if (digest === undefined || candidates.length === 0) return denial;
  const repo = { host: ref.domain.toLowerCase(), repository: ref.path };
  for (const candidate of candidates) {
    try {
      const listing = await deps.listings.listing(repo, candidate.digest, { signal: ctx.signal });
      if (!listing.index) continue;
      // The bytes hashed to the signed digest (the client checks), which fixes the length too: the signed `length` is
      // not compared, as `notary addhash` (and some CI signers) record a placeholder there.
      const listed = listing.manifests.find((entry) => entry.digest === digest);
      if (!listed) continue;
      const platform = listed.platform ? ` (${formatPlatform(listed.platform)})` : '';
      return {
        allowed: true,
        code: 'SIGNED',
        reason:
          `${ref.name}@${digest} is a platform manifest${platform} of the image index ${candidate.digest}, ` +
          `signed as tag "${candidate.tag}" in ${candidate.role} and served by ${repo.host} with that manifest listed`,
        signedDigest: candidate.digest,
        viaIndex: candidate.digest,
        format: NOTARY_V1_FORMAT,
      };
    } catch (error) {
      if (error instanceof RegistryNotFoundError) continue; // a signed digest the registry no longer holds
      const failure = registryFailure(error, repo.host, ctx.signal);
      return {
        ...denial,
        reason: `${denial.reason}; no signed image index could be checked for it (${failure.code}: ${failure.message})`,
      };
    }
  }
  return denial;
}

/**
 * A registry failure as a TrustError: the client's own, or REGISTRY_UNREACHABLE when the admission's deadline ended
 * the wait (a shared request rejects the waiter with the signal's reason). Anything else is unexpected: rethrown.
 */
export function registryFailure(error: unknown, host: string, signal: AbortSignal): TrustError {
  if (error instanceof TrustError) return error;
  if (signal.aborted) {
    return new TrustError('REGISTRY_UNREACHABLE', `The admission deadline passed before registry ${host} answered.`, {
      cause: error,
    });
  }
  throw error;
}
