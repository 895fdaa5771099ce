/**
 * The seams of the Notation verification core. The core (envelopes, certificates, trust policy, the runner) is pure:
 * bytes, a clock and these injected parts in, a verdict out. Timestamps (RFC 3161), revocation (OCSP/CRL) and
 * verification plugins (AWS Signer) are implemented elsewhere and handed in; certificates are node:crypto's
 * X509Certificate everywhere.
 */
import type { X509Certificate } from 'node:crypto';
import { NotaryGateError } from '../errors';

/** Verdict codes a Notation verification may deny with (see CONTRACT.md). */
export const NOTATION_ERROR_CODES = [
  'NOT_SIGNED',
  'SIGNATURE_INVALID',
  'CERTIFICATE_UNTRUSTED',
  'IDENTITY_UNTRUSTED',
  'SIGNATURE_EXPIRED',
  'CERTIFICATE_EXPIRED',
  'TIMESTAMP_INVALID',
  'REVOKED',
  'REVOCATION_UNAVAILABLE',
  'NO_TRUST_POLICY',
  'DIGEST_MISMATCH',
] as const;
export type NotationErrorCode = (typeof NOTATION_ERROR_CODES)[number];

/** An error of the Notation core or of an injected part, with a stable code. */
export class NotationError<C extends string = NotationErrorCode> extends NotaryGateError<C> {}

// ---------------------------------------------------------------------------------------------------------------
// Timestamps (RFC 3161 countersignatures, `io.cncf.notary.timestampSignature`)

export interface TimestampVerifyInput {
  /** DER of the TimeStampToken (a CMS ContentInfo), as carried in the envelope's unprotected header. */
  readonly tokenDer: Uint8Array;
  /** The raw primitive signature bytes of the envelope: the token's message imprint is over these. */
  readonly signature: Uint8Array;
  /** Certificates of the policy's `tsa` trust stores: one of them must be in (or anchor) the TSA's chain. */
  readonly tsaRoots: readonly X509Certificate[];
}

export interface VerifiedTimestamp {
  /** TSTInfo.genTime, epoch ms. */
  readonly genTimeMs: number;
  /** TSTInfo.accuracy in ms (0 when absent): the signing instant lies in [genTime - accuracy, genTime + accuracy]. */
  readonly accuracyMs: number;
  /** The TSA's chain, leaf first, as verified. */
  readonly tsaChain: X509Certificate[];
}

/** Verifies a timestamp token; rejects with a NotationError of code TIMESTAMP_INVALID and a reason. */
export interface TimestampVerifier {
  verify(input: TimestampVerifyInput): Promise<VerifiedTimestamp>;
}

// ---------------------------------------------------------------------------------------------------------------
// Revocation (OCSP first, then CRL)

export type RevocationStatus =
  | { readonly status: 'ok' }
  | { readonly status: 'revoked'; readonly reason: string }
  | { readonly status: 'unavailable'; readonly reason: string };

export interface RevocationContext {
  /** Evaluation instant (epoch ms). */
  readonly nowMs: number;
  /** Aborted when the admission's deadline passes. */
  readonly signal: AbortSignal;
}

export interface RevocationChecker {
  /** `chain` is leaf first, root last; never rejects for a revoked or unreachable responder (statuses say so). */
  check(chain: readonly X509Certificate[], ctx: RevocationContext): Promise<RevocationStatus>;
}

// ---------------------------------------------------------------------------------------------------------------
// Verification plugins (`io.cncf.notary.verificationPlugin`), run in-process: e.g. AWS Signer

export type SigningScheme = 'notary.x509' | 'notary.x509.signingAuthority';

export type CheckOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: string; readonly reason: string };

export interface ExtendedAttribute {
  readonly value: unknown;
  readonly critical: boolean;
}

export interface PluginInput {
  /** Every protected-header key that is not a standard Notation header, by name. */
  readonly extendedAttributes: ReadonlyMap<string, ExtendedAttribute>;
  readonly signingScheme: SigningScheme;
  readonly authenticSigningTimeMs?: number;
  readonly signingTimeMs?: number;
  /** The envelope's chain, leaf first (already integrity- and authenticity-checked). */
  readonly chain: X509Certificate[];
  /** The trust policy statement's `trustedIdentities`, as written. */
  readonly trustedIdentities: readonly string[];
  readonly nowMs: number;
  readonly signal: AbortSignal;
  /**
   * False when the trust policy skips revocation (level or `override: { revocation: skip }`): the plugin must then
   * make no revocation call (as Notation leaves the capability out of the plugin request). Absent: check.
   */
  readonly checkRevocation?: boolean;
  /**
   * True when the trust policy enforces authenticity: an untrusted identity then ends verification, so a plugin
   * must not spend a revocation call on it (anyone who can push a signature could otherwise make the function
   * call out for every signature it tries). Absent: logged only, so revocation is still asked for the warnings.
   */
  readonly authenticityEnforced?: boolean;
}

export interface PluginResult {
  /** Trusted-identity check (the plugin owns it: the runner does not match x509.subject identities). */
  readonly identity: CheckOutcome;
  /** Revocation check (the plugin owns it: the runner does not run OCSP/CRL). Codes: REVOKED, REVOCATION_UNAVAILABLE. */
  readonly revocation: CheckOutcome;
  /** Extended attributes the plugin understood; any other critical one fails the signature. */
  readonly processedAttributes: readonly string[];
}

export interface VerificationPlugin {
  /** The value of `io.cncf.notary.verificationPlugin` it handles, e.g. `com.amazonaws.signer.notation.plugin`. */
  readonly name: string;
  /** SemVer, compared with `io.cncf.notary.verificationPluginMinVersion`. */
  readonly version: string;
  verify(input: PluginInput): Promise<PluginResult>;
}

/** Plugins by name. An envelope naming a plugin that is not here fails with a reason that names it. */
export type PluginRegistry = ReadonlyMap<string, VerificationPlugin>;

// ---------------------------------------------------------------------------------------------------------------
// Trust stores

export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';

/** Named trust stores by type, as `trustStores` entries (`ca:acme`) name them. */
export interface TrustStores {
  /** Certificates of one store; undefined when the store does not exist. */
  get(type: TrustStoreType, name: string): readonly X509Certificate[] | undefined;
}
