/**
 * Protected-header rules shared by JWS and COSE (signature-specification.md, "Signed Attributes"; notation-core-go
 * validateProtectedHeaders / validateCriticalHeaders). The parsers turn their encoding into ProtectedHeaders (times
 * already in epoch ms); this decides whether the set of headers is acceptable.
 */
import { HEADER, MEDIA_TYPE } from '../media-types';
import type { ExtendedAttribute, SigningScheme } from '../types';
import { isSignatureAlgorithm, type SignatureAlgorithm } from './algorithms';
import { EnvelopeError } from './types';

export interface ProtectedHeaders {
  readonly alg: unknown;
  readonly contentType: unknown;
  /** The `crit` value, entries as header names (COSE integer labels as `#<n>`). */
  readonly crit: unknown;
  readonly signingScheme: unknown;
  readonly signingTimeMs: number | undefined;
  readonly authenticSigningTimeMs: number | undefined;
  readonly expiryMs: number | undefined;
  /** Names of every header present (COSE integer labels as `#<n>`). */
  readonly present: ReadonlySet<string>;
  /** Non-standard text-named headers and their values. */
  readonly extended: ReadonlyMap<string, unknown>;
}

export interface CheckedHeaders {
  readonly alg: SignatureAlgorithm;
  readonly signingScheme: SigningScheme;
  readonly signingTimeMs?: number;
  readonly authenticSigningTimeMs?: number;
  readonly expiryMs?: number;
  readonly extendedAttributes: ReadonlyMap<string, ExtendedAttribute>;
}

/** Headers the envelope format itself defines: `crit` may not name them (RFC 7515 4.1.11, RFC 9052 3.1). */
const FORMAT_HEADERS = new Set(['alg', 'cty', 'crit', '#1', '#2', '#3']);
const SCHEMES: readonly string[] = ['notary.x509', 'notary.x509.signingAuthority'];

export function checkProtectedHeaders(h: ProtectedHeaders): CheckedHeaders {
  if (!isSignatureAlgorithm(h.alg)) {
    throw new EnvelopeError(`signature algorithm ${JSON.stringify(h.alg)} is not one of PS256/384/512, ES256/384/512`);
  }
  if (h.contentType !== MEDIA_TYPE.payload) {
    throw new EnvelopeError(`payload content type ${JSON.stringify(h.contentType)} is not ${MEDIA_TYPE.payload}`);
  }
  if (!Array.isArray(h.crit) || h.crit.length === 0 || !h.crit.every((c) => typeof c === 'string')) {
    throw new EnvelopeError('the protected header lacks a non-empty "crit" list');
  }
  const crit = new Set<string>(h.crit);
  if (crit.size !== h.crit.length) throw new EnvelopeError('"crit" lists a header twice');
  for (const name of crit) {
    if (FORMAT_HEADERS.has(name)) throw new EnvelopeError(`"crit" must not list the envelope's own header ${name}`);
    if (!h.present.has(name)) throw new EnvelopeError(`"crit" lists ${name}, which the protected header lacks`);
  }
  if (typeof h.signingScheme !== 'string' || !SCHEMES.includes(h.signingScheme)) {
    throw new EnvelopeError(`signing scheme ${JSON.stringify(h.signingScheme)} is not supported`);
  }
  const scheme = h.signingScheme as SigningScheme;
  if (!crit.has(HEADER.signingScheme)) throw new EnvelopeError(`${HEADER.signingScheme} must be listed in "crit"`);
  if (scheme === 'notary.x509') {
    if (h.authenticSigningTimeMs !== undefined) {
      throw new EnvelopeError(`${HEADER.authenticSigningTime} is not allowed with signing scheme notary.x509`);
    }
    if (h.signingTimeMs === undefined) throw new EnvelopeError(`${HEADER.signingTime} is missing`);
  } else {
    if (h.signingTimeMs !== undefined) {
      throw new EnvelopeError(`${HEADER.signingTime} is not allowed with signing scheme ${scheme}`);
    }
    if (h.authenticSigningTimeMs === undefined) {
      throw new EnvelopeError(`${HEADER.authenticSigningTime} is required with signing scheme ${scheme}`);
    }
    if (!crit.has(HEADER.authenticSigningTime)) {
      throw new EnvelopeError(`${HEADER.authenticSigningTime} must be listed in "crit"`);
    }
  }
  const signedAt = (h.signingTimeMs ?? h.authenticSigningTimeMs)!;
  if (h.expiryMs !== undefined) {
    if (!crit.has(HEADER.expiry)) throw new EnvelopeError(`${HEADER.expiry} must be listed in "crit"`);
    if (h.expiryMs <= signedAt) throw new EnvelopeError(`${HEADER.expiry} is not after the signing time`);
  }
  const extendedAttributes = new Map<string, ExtendedAttribute>();
  for (const [name, value] of h.extended) extendedAttributes.set(name, { value, critical: crit.has(name) });
  // A critical header we do not know and that is not an extended attribute (a COSE integer label) is not understood.
  for (const name of crit) {
    if (name.startsWith('#')) throw new EnvelopeError(`"crit" lists header ${name.slice(1)}, which is not understood`);
  }
  return {
    alg: h.alg,
    signingScheme: scheme,
    signingTimeMs: h.signingTimeMs,
    authenticSigningTimeMs: h.authenticSigningTimeMs,
    expiryMs: h.expiryMs,
    extendedAttributes,
  };
}
