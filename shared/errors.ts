/** Codes a trust layer (a SignatureVerifier) may deny with; any other code from a thrown error is unexpected. */
export const TRUST_ERROR_CODES = [
  'NOT_SIGNED',
  'DIGEST_MISMATCH',
  'DIGEST_REQUIRED',
  'METADATA_EXPIRED',
  'SIGNATURE_INVALID',
  'ROOT_UNTRUSTED',
  'HASH_MISMATCH',
  'ROLLBACK',
  'NOTARY_UNREACHABLE',
  'NOTARY_ERROR',
  'REGISTRY_UNREACHABLE', // an OCI registry could not be reached in time (down, timeout, deadline)
  'REGISTRY_ERROR', // an OCI registry answered wrongly (status, size, shape, digest)
  'TRUST_STATE_UNAVAILABLE', // the remembered root and version floors could not be read, and none verified here
] as const;

/**
 * Stable codes: the part of a verdict that scripts, metrics and saved queries rely on.
 * Reasons (messages) are for people and may change; codes may not.
 */
export const VERDICT_CODES = [
  // allowed
  'ALLOWED_BY_RULE', // a rule with action: allow (or defaultAction: allow) matched
  'SIGNED', // the digest is signed by the repository's keys
  'NAMESPACE_EXEMPT',
  'UNCHANGED', // the image was already in oldObject and the policy skips unchanged images
  // denied
  'DENIED_BY_RULE',
  'INVALID_REFERENCE',
  ...TRUST_ERROR_CODES,
  'INTERNAL_ERROR',
] as const;
export type VerdictCode = (typeof VERDICT_CODES)[number];

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

/**
 * Trust verification failed for a repository. `code` is one of the verdict codes of the trust layer
 * (NOT_SIGNED, METADATA_EXPIRED, SIGNATURE_INVALID, ROOT_UNTRUSTED, HASH_MISMATCH, ROLLBACK,
 * NOTARY_UNREACHABLE, NOTARY_ERROR).
 */
export class TrustError extends NotaryGateError<VerdictCode> {}
