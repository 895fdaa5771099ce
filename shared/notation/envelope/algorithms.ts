/**
 * Signature algorithms of the Notary Project (signature-specification.md, "Algorithm Selection"): the algorithm is
 * implied by the signing key, and the envelope's `alg` must equal it. RSA keys sign with PSS, ECDSA signatures are
 * raw r||s (IEEE P1363) in both JWS and COSE.
 */
import { constants, type KeyObject, verify } from 'node:crypto';
import type { PublicKeyInfo } from '../x509/parse';

export type SignatureAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

interface AlgorithmSpec {
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly family: 'rsa-pss' | 'ecdsa';
  /** COSE algorithm identifier (RFC 9053 / RFC 8230). */
  readonly cose: number;
  /** Hash length in bytes: the PSS salt length signers use. */
  readonly hashBytes: number;
}

export const ALGORITHMS: Readonly<Record<SignatureAlgorithm, AlgorithmSpec>> = {
  PS256: { hash: 'sha256', family: 'rsa-pss', cose: -37, hashBytes: 32 },
  PS384: { hash: 'sha384', family: 'rsa-pss', cose: -38, hashBytes: 48 },
  PS512: { hash: 'sha512', family: 'rsa-pss', cose: -39, hashBytes: 64 },
  ES256: { hash: 'sha256', family: 'ecdsa', cose: -7, hashBytes: 32 },
  ES384: { hash: 'sha384', family: 'ecdsa', cose: -35, hashBytes: 48 },
  ES512: { hash: 'sha512', family: 'ecdsa', cose: -36, hashBytes: 64 },
};

export const isSignatureAlgorithm = (alg: unknown): alg is SignatureAlgorithm =>
  typeof alg === 'string' && Object.hasOwn(ALGORITHMS, alg);

export function algorithmFromCose(label: unknown): SignatureAlgorithm | undefined {
  for (const [name, spec] of Object.entries(ALGORITHMS)) if (spec.cose === label) return name as SignatureAlgorithm;
  return undefined;
}

const RSA_BY_BITS: Readonly<Record<number, SignatureAlgorithm>> = { 2048: 'PS256', 3072: 'PS384', 4096: 'PS512' };
const EC_BY_CURVE: Readonly<Record<string, SignatureAlgorithm>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

/** The one algorithm a key may sign with; undefined for key types and sizes the spec does not allow. */
export function algorithmForKey(key: PublicKeyInfo): SignatureAlgorithm | undefined {
  if (key.type === 'rsa' && key.modulusBits !== undefined) return RSA_BY_BITS[key.modulusBits];
  if (key.type === 'ec' && key.curve !== undefined) return EC_BY_CURVE[key.curve];
  return undefined;
}

/**
 * Verifies a primitive signature. `pssSalt`: JWS is verified with the salt length recovered from the signature
 * (notation-go via golang-jwt does so), COSE with the hash length (RFC 8230 and notation-go's go-cose).
 */
export function verifyPrimitive(
  alg: SignatureAlgorithm,
  key: KeyObject,
  signedBytes: Uint8Array,
  signature: Uint8Array,
  pssSalt: 'auto' | 'hashLength',
): boolean {
  const spec = ALGORITHMS[alg];
  try {
    if (spec.family === 'ecdsa') return verify(spec.hash, signedBytes, { key, dsaEncoding: 'ieee-p1363' }, signature);
    return verify(
      spec.hash,
      signedBytes,
      {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: pssSalt === 'auto' ? constants.RSA_PSS_SALTLEN_AUTO : spec.hashBytes,
      },
      signature,
    );
  } catch {
    return false;
  }
}
