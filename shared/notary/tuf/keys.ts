import { constants, createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { TrustError } from '../../errors';
import { canonicalJson } from './canonical-json';
import { type CertificateInfo, parseKeyCertificate } from './certificates';

/** Key types notary writes (tuf/data/types.go). */
export const KEY_TYPES = ['ecdsa', 'ecdsa-x509', 'rsa', 'rsa-x509', 'ed25519'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** A key as it appears in root.json `keys` and in targets `delegations.keys`. */
export interface TufKeyJson {
  readonly keytype: string;
  readonly keyval: { readonly public: string };
}

export interface ParsedKey {
  /** The key ID notary computes from the key's content; a key listed under another ID is refused. */
  readonly id: string;
  readonly keyType: KeyType;
  readonly publicKey: KeyObject;
  /** sha256 hex of the SubjectPublicKeyInfo: the same key whether given bare or inside a certificate. */
  readonly fingerprint: string;
  /** For `-x509` key types: the leaf certificate. */
  readonly certificate?: CertificateInfo;
}

/** Notary refuses RSA keys below 2048 bits (tuf/signed/verifiers.go minRSAKeySizeBit). */
const MIN_RSA_BITS = 2048;
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Key ID = sha256 hex of the canonical JSON of the public part (tuf/data/keys.go TUFKey.ID):
 * `{"keytype":…,"keyval":{"private":null,"public":"<base64>"}}`.
 */
export function keyIdOf(key: TufKeyJson): string {
  const publicOnly = { keytype: key.keytype, keyval: { private: null, public: key.keyval.public } };
  return createHash('sha256').update(canonicalJson(publicOnly), 'utf8').digest('hex');
}

/** Parses a TUF key into a node public key. Throws TrustError NOTARY_ERROR for unknown types or bad encodings. */
export function parseTufKey(key: TufKeyJson): ParsedKey {
  const keyType = KEY_TYPES.find((type) => type === key.keytype);
  if (!keyType) throw new TrustError('NOTARY_ERROR', `unsupported key type "${key.keytype}"`);
  const raw = decodeBase64Strict(key.keyval.public, 'key');
  const certificate = keyType.endsWith('-x509') ? parseKeyCertificate(raw.toString('utf8')) : undefined;
  const publicKey = certificate?.publicKey ?? publicKeyFromRaw(keyType, raw);
  const expected = keyType.startsWith('ecdsa') ? 'ec' : keyType.startsWith('rsa') ? 'rsa' : 'ed25519';
  if (publicKey.asymmetricKeyType !== expected) {
    throw new TrustError('NOTARY_ERROR', `a "${keyType}" key holds a ${publicKey.asymmetricKeyType} public key`);
  }
  if (expected === 'rsa' && (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new TrustError('NOTARY_ERROR', `RSA keys must have at least ${MIN_RSA_BITS} bits`);
  }
  return { id: keyIdOf(key), keyType, publicKey, fingerprint: fingerprintOf(publicKey), certificate };
}

/**
 * A pinned root key from the policy: a PEM public key or a PEM certificate (of which only the key counts).
 * Returns the fingerprint used to match it against the root's keys. A text holding several PEM blocks is refused
 * here: use pinnedKeyFingerprints, which pins every block.
 */
export function pinnedKeyFingerprint(pem: string): string {
  const fingerprints = pinnedKeyFingerprints(pem);
  if (fingerprints.length !== 1) {
    throw new TrustError('ROOT_UNTRUSTED', `a pinned root key entry holds ${fingerprints.length} keys, not one`);
  }
  return fingerprints[0]!;
}

/** `-----BEGIN <label>-----` … `-----END <label>-----` (RFC 7468), labels matched pairwise. */
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
/** What a pin may be: a public key or a certificate (whose key is pinned). */
const PIN_LABELS: ReadonlySet<string> = new Set(['PUBLIC KEY', 'CERTIFICATE', 'RSA PUBLIC KEY', 'EC PUBLIC KEY']);

/**
 * Every key of one `rootKeys` entry: each PEM block counts (a bundle of certificates pins all of them, not only the
 * first). Refused with ROOT_UNTRUSTED, saying why: no PEM block, a block that is neither a public key nor a
 * certificate (a private key, say), or one that does not parse.
 */
export function pinnedKeyFingerprints(pem: string): string[] {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) {
    throw new TrustError('ROOT_UNTRUSTED', 'a pinned root key is neither a PEM public key nor a PEM certificate');
  }
  return blocks.map(([block, label], index) => {
    const where = blocks.length > 1 ? ` (PEM block ${index + 1} of ${blocks.length})` : '';
    if (!PIN_LABELS.has(label!)) {
      throw new TrustError(
        'ROOT_UNTRUSTED',
        `a pinned root key${where} is a "${label}", not a public key or certificate`,
      );
    }
    try {
      return fingerprintOf(createPublicKey(block));
    } catch (cause) {
      throw new TrustError('ROOT_UNTRUSTED', `a pinned root key${where} cannot be parsed as a ${label}`, { cause });
    }
  });
}

/**
 * sha256 hex of the key's canonical SubjectPublicKeyInfo: one public key has one fingerprint whatever its encoding.
 * EC keys are re-encoded from their curve point (JWK) as a named curve with an uncompressed point, so a key written
 * with explicit curve parameters or a compressed point counts as the same key (and once toward a threshold).
 */
export function fingerprintOf(publicKey: KeyObject): string {
  return createHash('sha256').update(canonicalSpki(publicKey)).digest('hex');
}

function canonicalSpki(publicKey: KeyObject): Buffer {
  if (publicKey.asymmetricKeyType === 'ec') {
    // export as JWK fails for a curve node cannot name: such a key keeps its own encoding
    try {
      const jwk = publicKey.export({ format: 'jwk' });
      return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
    } catch {
      // fall through
    }
  }
  return publicKey.export({ type: 'spki', format: 'der' });
}

/**
 * Verifies one notary signature (tuf/signed/verifiers.go). Every method hashes with sha256, whatever the curve.
 * Returns false for a wrong signature, a method that does not fit the key, or an unknown method.
 */
export function verifySignature(key: ParsedKey, method: string, sigBase64: string, bytes: Uint8Array): boolean {
  let signature: Buffer;
  try {
    signature = decodeBase64Strict(sigBase64, 'signature');
  } catch {
    return false;
  }
  // notary lower-cases the method when it reads metadata
  switch (method.toLowerCase()) {
    case 'ecdsa':
      return key.keyType.startsWith('ecdsa') && verifyEcdsa(key.publicKey, signature, bytes);
    case 'rsapss':
      return (
        key.keyType.startsWith('rsa') &&
        verify(
          'sha256',
          bytes,
          { key: key.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
          signature,
        )
      );
    case 'rsapkcs1v15':
      return (
        key.keyType.startsWith('rsa') &&
        verify('sha256', bytes, { key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature)
      );
    case 'eddsa':
      return key.keyType === 'ed25519' && signature.length === 64 && verify(null, bytes, key.publicKey, signature);
    default:
      return false;
  }
}

/** Notary signs raw r||s (IEEE P1363); DER signatures (as other TUF tools write) are accepted too. */
function verifyEcdsa(publicKey: KeyObject, signature: Buffer, bytes: Uint8Array): boolean {
  const curveBits = CURVE_BITS[publicKey.asymmetricKeyDetails?.namedCurve ?? ''] ?? 256;
  const rawLength = 2 * Math.ceil(curveBits / 8);
  const dsaEncoding = signature.length === rawLength ? 'ieee-p1363' : 'der';
  try {
    return verify('sha256', bytes, { key: publicKey, dsaEncoding }, signature);
  } catch {
    return false; // malformed DER
  }
}

const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

function publicKeyFromRaw(keyType: KeyType, raw: Buffer): KeyObject {
  try {
    if (keyType === 'ed25519') {
      // notary stores the raw 32-byte ed25519 public key
      if (raw.length !== 32) throw new Error(`ed25519 public key must be 32 bytes, got ${raw.length}`);
      return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    }
    // `ecdsa` and `rsa`: DER SubjectPublicKeyInfo (x509.ParsePKIXPublicKey)
    return createPublicKey({ key: raw, format: 'der', type: 'spki' });
  } catch (cause) {
    throw new TrustError('NOTARY_ERROR', `a "${keyType}" key cannot be parsed`, { cause });
  }
}

/** Go's encoding/json reads []byte as standard padded base64; anything else would give a different key ID. */
function decodeBase64Strict(text: string, what: string): Buffer {
  const decoded = Buffer.from(text, 'base64');
  if (decoded.toString('base64') !== text) throw new TrustError('NOTARY_ERROR', `a ${what} is not valid base64`);
  return decoded;
}
