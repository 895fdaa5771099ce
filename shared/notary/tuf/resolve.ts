import type { ImageReference } from '../../image/types';
import type { ImageVerdict } from '../../verify/types';
import { NOTARY_V1_FORMAT } from '../format-name';
import type { SignedTarget, VerifiedTrust } from './types';

export interface ResolveOptions {
  /** Tag-only references are denied with DIGEST_REQUIRED (naming the digest to pin) when true. */
  readonly requireDigest: boolean;
  /** When given (non-empty), only digests signed in these roles count, in this order of precedence. */
  readonly delegations?: readonly string[];
}

/** Docker resolves a tag in `targets/releases` first, then `targets`, and trusts no other role for it. */
export const DEFAULT_TRUSTED_ROLES: readonly string[] = ['targets/releases', 'targets'];

/**
 * Decides one image against verified trust data (CONTRACT.md, "Verification semantics"):
 * - digest only: allowed when some tag in the trusted roles is signed with that digest;
 * - tag and digest: the tag's signed digest (first trusted role that signs the tag) must equal the digest;
 * - tag only: DIGEST_REQUIRED naming the digest to pin, or allowed when `requireDigest` is false.
 * Notary signs sha256 digests only, so no other algorithm can match.
 */
export function resolveImage(ref: ImageReference, trust: VerifiedTrust, options: ResolveOptions): ImageVerdict {
  const roles = trustedRoles(options.delegations);
  const roleText = roles.join(', ');
  const digest = ref.digest?.toLowerCase();

  if (ref.tag === undefined) {
    // digest only
    const found = digest?.startsWith('sha256:') ? findDigest(trust, roles, digest) : undefined;
    if (found) {
      return allow(`${ref.name}@${digest} is signed as tag "${found.tag}" in ${found.role}`, found.target.digest);
    }
    return deny(
      'NOT_SIGNED',
      `${ref.name}@${digest ?? ''} is not signed in ${roleText}${notes(digest, trust, roles, { digest })}`,
    );
  }

  const signed = findTag(trust, roles, ref.tag);
  if (!signed) {
    return deny(
      'NOT_SIGNED',
      `${ref.name}:${ref.tag} has no signed digest in ${roleText}${notes(digest, trust, roles, { tag: ref.tag })}: sign the tag ` +
        '(docker trust sign) or reference a signed tag',
    );
  }
  const signedDigest = signed.target.digest;
  if (digest !== undefined) {
    // tag and digest
    if (digest === signedDigest) return allow(`${ref.name}:${ref.tag}@${digest} is signed in ${signed.role}`, digest);
    return deny(
      'DIGEST_MISMATCH',
      `${ref.name}:${ref.tag} is signed with digest ${signedDigest} (in ${signed.role}), not ${digest}: ` +
        `use ${ref.name}:${ref.tag}@${signedDigest} or sign the image you mean to run`,
      signedDigest,
    );
  }
  // tag only
  if (options.requireDigest) {
    return deny(
      'DIGEST_REQUIRED',
      `${ref.name}:${ref.tag} is not pinned to a digest; its signed digest is ${signedDigest}: ` +
        `use ${ref.name}:${ref.tag}@${signedDigest}`,
      signedDigest,
    );
  }
  return allow(`${ref.name}:${ref.tag} is signed in ${signed.role} with digest ${signedDigest}`, signedDigest);
}

/** A signed tag: where it is signed and with what. */
export interface SignedTag {
  readonly role: string;
  readonly tag: string;
  readonly target: SignedTarget;
}

/** The roles whose signatures count, in order of precedence: the rule's `delegations`, else docker's. */
export function trustedRoles(delegations: readonly string[] | undefined): readonly string[] {
  return delegations?.length ? delegations : DEFAULT_TRUSTED_ROLES;
}

/** The tags one verified role signs (none when the role is absent, skipped or unknown). */
export function roleTargets(trust: VerifiedTrust, role: string): Readonly<Record<string, SignedTarget>> {
  return trust.roles.find((entry) => entry.role === role)?.targets ?? {};
}

/** The tag's signed target in the first trusted role that signs it (docker's GetTargetByName order). */
export function findTag(trust: VerifiedTrust, roles: readonly string[], tag: string): SignedTag | undefined {
  for (const role of roles) {
    const targets = roleTargets(trust, role);
    if (Object.hasOwn(targets, tag)) return { role, tag, target: targets[tag]! };
  }
  return undefined;
}

/** The first signed tag, in role order, whose digest is `digest`. */
export function findDigest(trust: VerifiedTrust, roles: readonly string[], digest: string): SignedTag | undefined {
  for (const role of roles) {
    const entry = Object.entries(roleTargets(trust, role)).find(([, target]) => target.digest === digest);
    if (entry) return { role, tag: entry[0], target: entry[1] };
  }
  return undefined;
}

/**
 * Extra context for denials: a non-sha256 digest, trusted roles that were skipped (expired, under threshold), and
 * a verified role outside the trusted ones that does sign what was asked (the usual cause of a NOT_SIGNED under a
 * rule's `delegations`: `notary sign` without `--roles` signs in `targets`).
 */
function notes(
  digest: string | undefined,
  trust: VerifiedTrust,
  roles: readonly string[],
  wanted: { readonly digest?: string; readonly tag?: string },
): string {
  const parts: string[] = [];
  if (digest !== undefined && !digest.startsWith('sha256:')) parts.push('notary signs sha256 digests only');
  for (const { role, reason } of trust.skippedRoles) {
    if (roles.includes(role)) parts.push(`${role} was not used: ${reason}`);
  }
  const elsewhere = signedElsewhere(trust, roles, wanted);
  if (elsewhere) parts.push(elsewhere);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

function signedElsewhere(
  trust: VerifiedTrust,
  roles: readonly string[],
  wanted: { readonly digest?: string; readonly tag?: string },
): string | undefined {
  const others = trust.roles.map((r) => r.role).filter((role) => !roles.includes(role));
  const found =
    wanted.tag !== undefined
      ? findTag(trust, others, wanted.tag)
      : wanted.digest?.startsWith('sha256:')
        ? findDigest(trust, others, wanted.digest)
        : undefined;
  if (!found) return undefined;
  const what =
    wanted.tag !== undefined
      ? `the tag is signed in ${found.role} (${found.target.digest})`
      : `signed in ${found.role} as tag "${found.tag}"`;
  const fix = found.role === TARGETS_ROLE ? `: list ${TARGETS_ROLE} in the rule's notary.delegations to accept it` : '';
  return `${what}, but this rule requires ${roles.join(' or ')}${fix}`;
}

/** The role `notary sign` (and `docker trust sign` by a repository owner) signs in without `--roles`. */
const TARGETS_ROLE = 'targets';

function allow(reason: string, signedDigest: string): ImageVerdict {
  return { allowed: true, code: 'SIGNED', reason, signedDigest, format: NOTARY_V1_FORMAT };
}

function deny(code: ImageVerdict['code'], reason: string, signedDigest?: string): ImageVerdict {
  return { allowed: false, code, reason, format: NOTARY_V1_FORMAT, ...(signedDigest ? { signedDigest } : {}) };
}
