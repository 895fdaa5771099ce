/**
 * Tag-only images under Notary v1 rules with `requireDigest: false`: the Notary signature says which digest the
 * tag stood for when it was signed; the kubelet pulls whatever the registry serves for the tag now. When the
 * policy names the image's registry in `registries:` (an entry, even `host: {}`, is the opt-in: without it there
 * is no registry traffic, as before), the tag is admitted only if the registry's current digest for it is the
 * signed one, or a platform manifest that the signed image index lists (index-vouching.ts). A moved tag is
 * DIGEST_MISMATCH: the signed target is not the image that would run. A registry that cannot answer denies with
 * its own code (REGISTRY_UNREACHABLE, REGISTRY_ERROR), unless a recent resolution stands in (resolution-cache.ts).
 */
import type { ImageReference } from '../image/types';
import type { Rule } from '../policy/types';
import type { Descriptor } from '../registry/descriptor';
import type { RegistriesConfig } from '../registry/settings';
import type { ImageVerdict, VerifyContext } from '../verify/types';
import { NOTARY_V1_FORMAT } from './format-name';
import {
  type IndexVouchingDeps,
  indexCandidates,
  registryFailure,
  vouchingApplies,
  vouchThroughIndex,
} from './index-vouching';
import { findTag, trustedRoles } from './tuf/resolve';
import type { VerifiedTrust } from './tuf/types';

/** Whether the image's tag is checked against the registry (see above). */
export function tagResolutionApplies(
  ref: ImageReference,
  rule: Pick<Rule, 'requireDigest'>,
  registries: RegistriesConfig | undefined,
): boolean {
  return ref.digest === undefined && ref.tag !== undefined && !rule.requireDigest && vouchingApplies(ref, registries);
}

/** The verdict on the tag, and the digest the registry serves for it when that digest is the one admitted. */
export interface TagCheck {
  readonly verdict: ImageVerdict;
  /** What `/mutate` pins: the registry's digest for the tag, set only when the verdict admits it. */
  readonly currentDigest?: string;
}

/**
 * Confirms a tag that the trust data signs (`signed`: the allowed verdict of the plain resolution) against the
 * registry's current descriptor for it (`current`, asked concurrently with the trust data).
 */
export async function confirmTag(
  ref: ImageReference,
  signed: ImageVerdict,
  current: Promise<Descriptor>,
  trust: VerifiedTrust,
  delegations: readonly string[] | undefined,
  deps: IndexVouchingDeps,
  ctx: VerifyContext,
): Promise<TagCheck> {
  const tag = ref.tag ?? 'latest';
  const host = ref.domain.toLowerCase();
  const signedTag = findTag(trust, trustedRoles(delegations), tag);
  const signedDigest = signed.signedDigest ?? signedTag?.target.digest;
  if (!signed.allowed || !signedTag || signedDigest === undefined) return { verdict: signed };
  let descriptor: Descriptor;
  try {
    descriptor = await current;
  } catch (error) {
    const failure = registryFailure(error, host, ctx.signal);
    return {
      verdict: deny(
        failure.code,
        `${ref.name}:${tag} is signed with ${signedDigest} in ${signedTag.role}, but which digest ${host} serves for ` +
          `the tag now could not be read (${failure.message}); a tag is admitted only while it points at the signed image`,
        signedDigest,
      ),
    };
  }
  const currentDigest = descriptor.digest.toLowerCase();
  if (currentDigest === signedDigest) {
    return {
      verdict: { ...signed, reason: `${signed.reason}, the digest ${host} serves for the tag` },
      currentDigest,
    };
  }
  const moved = deny(
    'DIGEST_MISMATCH',
    `${ref.name}:${tag} is signed with ${signedDigest} in ${signedTag.role}, but ${host} now serves ${currentDigest} ` +
      `for the tag: the tag moved since it was signed; sign the image it points at (docker trust sign), or run ` +
      `${ref.name}:${tag}@${signedDigest}`,
    signedDigest,
  );
  const pinned: ImageReference = {
    ...ref,
    digest: currentDigest,
    reference: `${ref.name}:${tag}@${currentDigest}`,
  };
  const vouched = await vouchThroughIndex(pinned, moved, indexCandidates(pinned, trust, delegations), deps, ctx);
  if (!vouched.allowed) return { verdict: vouched };
  return {
    verdict: { ...vouched, reason: `${host} serves ${currentDigest} for ${ref.name}:${tag}; ${vouched.reason}` },
    currentDigest,
  };
}

function deny(code: ImageVerdict['code'], reason: string, signedDigest: string): ImageVerdict {
  return { allowed: false, code, reason, signedDigest, format: NOTARY_V1_FORMAT };
}
