/**
 * Every stable code of a verdict, in ONE table: code -> category (and, where it matters, whether a trust cache may
 * remember it briefly). The trust cache's outage and negative lists, the saved decision queries, the engine's
 * acceptance of codes thrown by a format, and the docs' codes table (a test compares) are all derived from it.
 * Codes are what scripts, metrics and saved queries rely on; reasons (messages) are for people and may change.
 *
 * Categories:
 * - `allowed`: the image is admitted.
 * - `denied-untrusted`: the signature data was read and does not prove the image trusted (unsigned, tampered, expired).
 * - `origin-outage`: a signature source (Notary server, registry, revocation responder, the remembered trust state)
 *   could not answer: the image is denied, but cached verified data may stand in (stale-if-error).
 * - `policy`: the policy or the reference decides (a deny rule, a tag without digest, no trust policy statement).
 * - `internal`: a bug or an unexpected failure; fail closed.
 */
export type CodeCategory = 'allowed' | 'denied-untrusted' | 'origin-outage' | 'policy' | 'internal';

interface CodeInfo {
  readonly category: CodeCategory;
  /** One line for the docs' codes table. */
  readonly meaning: string;
  /**
   * A trust cache may remember this denial for a short while (a negative entry): it says the data is absent, which
   * asking again within seconds will not change. Only for denials that signing the image later fixes.
   */
  readonly negative?: true;
}

export const CODES = {
  // allowed
  ALLOWED_BY_RULE: { category: 'allowed', meaning: 'a rule with `action: allow` (or `defaultAction: allow`) matched' },
  SIGNED: { category: 'allowed', meaning: "the digest is signed under the rule's formats" },
  NAMESPACE_EXEMPT: { category: 'allowed', meaning: 'the namespace is exempt from signature checks by policy' },
  UNCHANGED: {
    category: 'allowed',
    meaning: 'the image was already in oldObject and the policy skips unchanged images',
  },
  // policy
  DENIED_BY_RULE: { category: 'policy', meaning: 'a rule with `action: deny` (or `defaultAction: deny`) matched' },
  INVALID_REFERENCE: { category: 'policy', meaning: 'the string is not a valid image reference' },
  DIGEST_REQUIRED: { category: 'policy', meaning: 'a tag without a digest under `requireDigest: true`' },
  NO_TRUST_POLICY: { category: 'policy', meaning: 'no statement of the trust policy applies to the repository' },
  // denied-untrusted
  NOT_SIGNED: {
    category: 'denied-untrusted',
    meaning: 'no signature (of this format) covers the image',
    negative: true,
  },
  DIGEST_MISMATCH: { category: 'denied-untrusted', meaning: 'the signed target is not the image' },
  METADATA_EXPIRED: { category: 'denied-untrusted', meaning: 'the trust data expired' },
  SIGNATURE_INVALID: { category: 'denied-untrusted', meaning: 'a signature or envelope fails integrity' },
  ROOT_UNTRUSTED: { category: 'denied-untrusted', meaning: 'the root of trust is not the pinned (or first seen) one' },
  HASH_MISMATCH: {
    category: 'denied-untrusted',
    meaning: 'metadata does not match the hash or length its parent signed',
  },
  ROLLBACK: { category: 'denied-untrusted', meaning: 'trust data older than what was seen before' },
  CERTIFICATE_UNTRUSTED: {
    category: 'denied-untrusted',
    meaning: 'no certificate of the chain is in the trust store of the right type',
  },
  IDENTITY_UNTRUSTED: { category: 'denied-untrusted', meaning: 'the signing identity is not a trusted identity' },
  SIGNATURE_EXPIRED: { category: 'denied-untrusted', meaning: 'the signature expired' },
  CERTIFICATE_EXPIRED: {
    category: 'denied-untrusted',
    meaning: 'the chain is not valid at the signing or evaluation time the rules require',
  },
  TIMESTAMP_INVALID: { category: 'denied-untrusted', meaning: 'the signing timestamp does not verify' },
  REVOKED: { category: 'denied-untrusted', meaning: 'a certificate or signing profile of the signature is revoked' },
  // origin-outage
  NOTARY_UNREACHABLE: { category: 'origin-outage', meaning: 'the Notary server could not be reached in time' },
  NOTARY_ERROR: { category: 'origin-outage', meaning: 'the Notary server answered wrongly (status, size, shape)' },
  REGISTRY_UNREACHABLE: { category: 'origin-outage', meaning: 'the registry could not be reached in time' },
  REGISTRY_ERROR: { category: 'origin-outage', meaning: 'the registry answered wrongly (status, size, shape, digest)' },
  REVOCATION_UNAVAILABLE: {
    category: 'origin-outage',
    meaning: 'revocation status could not be obtained where the rules require it',
  },
  TRUST_STATE_UNAVAILABLE: {
    category: 'origin-outage',
    meaning: 'remembered Notary v1 roots and versions cannot be read (and none verified here)',
  },
  // internal
  INTERNAL_ERROR: {
    category: 'internal',
    meaning: 'an unexpected failure; the image is denied until it can be verified',
  },
} as const satisfies Record<string, CodeInfo>;

export type VerdictCode = keyof typeof CODES;

/** Every verdict code, in table order. */
export const VERDICT_CODES = Object.keys(CODES) as VerdictCode[];

export function isVerdictCode(code: string): code is VerdictCode {
  return Object.hasOwn(CODES, code);
}

export function categoryOf(code: VerdictCode): CodeCategory {
  return CODES[code].category;
}

/** The codes of some categories, in table order. */
export function codesIn(...categories: readonly CodeCategory[]): VerdictCode[] {
  return VERDICT_CODES.filter((code) => categories.includes(CODES[code].category));
}

/** Codes that say a signature source could not answer (stale-if-error may apply), not that the data is bad. */
export const ORIGIN_OUTAGE_CODES: readonly VerdictCode[] = codesIn('origin-outage');
/** Denials a trust cache may remember briefly. */
export const NEGATIVE_CACHE_CODES: readonly VerdictCode[] = VERDICT_CODES.filter(
  (code) => (CODES[code] as CodeInfo).negative === true,
);
/**
 * Codes a trust layer (a signature format) may deny with, in a verdict or a thrown error: every denial but the
 * engine's own decisions on the policy (rules, references) and INTERNAL_ERROR. Any other code thrown is unexpected.
 */
export const TRUST_ERROR_CODES: readonly VerdictCode[] = VERDICT_CODES.filter(
  (code) =>
    CODES[code].category !== 'allowed' &&
    CODES[code].category !== 'internal' &&
    code !== 'DENIED_BY_RULE' &&
    code !== 'INVALID_REFERENCE',
);
const TRUST_ERROR_SET: ReadonlySet<string> = new Set(TRUST_ERROR_CODES);

/** Whether a format may deny with this code (see TRUST_ERROR_CODES). */
export function isTrustErrorCode(code: string): code is VerdictCode {
  return TRUST_ERROR_SET.has(code);
}

/** Codes of configuration and input errors: exit code 2 in the CLI, 400 at the HTTP edge. */
export type InputErrorCode = 'INVALID_ADMISSION_REVIEW' | 'INVALID_POLICY' | 'INVALID_INPUT' | 'USAGE';

/** Base class: every error the project throws on purpose carries a stable code and, when wrapping, a cause. */
export class NotaryGateError<C extends string = VerdictCode | InputErrorCode> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A string that is not a valid image reference. */
export class InvalidReferenceError extends NotaryGateError<'INVALID_REFERENCE'> {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super('INVALID_REFERENCE', reason);
  }
}

/** The request body is not an AdmissionReview we understand: a 400 at the HTTP edge, exit 2 in the CLI. */
export class InvalidAdmissionReviewError extends NotaryGateError<'INVALID_ADMISSION_REVIEW'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ADMISSION_REVIEW', message, options);
  }
}

/** The policy does not validate; the message names the bad field. */
export class InvalidPolicyError extends NotaryGateError<'INVALID_POLICY'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_POLICY', message, options);
  }
}

/** Input files (manifests, flags) that cannot be used. */
export class InvalidInputError extends NotaryGateError<'INVALID_INPUT'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_INPUT', message, options);
  }
}

/** Trust verification failed for a repository. `code` is one of TRUST_ERROR_CODES (see the table above). */
export class TrustError extends NotaryGateError<VerdictCode> {}
