import type { EnvelopeMediaType } from '../media-types';
import type { ExtendedAttribute, SigningScheme } from '../types';
import type { SignatureAlgorithm } from './algorithms';

/** What JWS and COSE envelopes both carry, once parsed and their header rules checked. Nothing here is verified yet. */
export interface EnvelopeContent {
  readonly mediaType: EnvelopeMediaType;
  readonly payload: Uint8Array;
  readonly alg: SignatureAlgorithm;
  readonly signingScheme: SigningScheme;
  /** `io.cncf.notary.signingTime` (scheme notary.x509), epoch ms. */
  readonly signingTimeMs?: number;
  /** `io.cncf.notary.authenticSigningTime` (scheme notary.x509.signingAuthority), epoch ms. */
  readonly authenticSigningTimeMs?: number;
  readonly expiryMs?: number;
  /** Protected-header entries that are not standard Notation headers, by name. */
  readonly extendedAttributes: ReadonlyMap<string, ExtendedAttribute>;
  /** x5c / x5chain DER, leaf first. */
  readonly certsDer: readonly Uint8Array[];
  readonly signature: Uint8Array;
  /** The exact bytes the signature is over (JWS signing input, COSE Sig_structure). */
  readonly signedBytes: Uint8Array;
  readonly pssSalt: 'auto' | 'hashLength';
  /** RFC 3161 TimeStampToken DER from the unprotected header, when present. */
  readonly timestampToken?: Uint8Array;
  readonly signingAgent?: string;
}

/** An envelope that breaks the format or header rules: always an integrity failure (SIGNATURE_INVALID). */
export class EnvelopeError extends Error {}
