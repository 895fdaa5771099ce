/**
 * The Notary Project's certificate requirements (signature-specification.md, "Certificate Requirements"), per
 * certificate: code-signing leaves, timestamping leaves, and the CAs above them. Each check returns the reason it
 * fails, or undefined; chain-level rules (order, issuance, the self-signed root) are in chain.ts.
 */
import { KeyUsageFlags } from './extension-ids';
import { type ParsedCertificate, subjectText } from './parse';

export const EKU = {
  any: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

/** EKUs a code-signing leaf must not carry (spec; notation-go adds OCSPSigning). */
const FORBIDDEN_CODE_SIGNING_EKUS: readonly string[] = [
  EKU.any,
  EKU.serverAuth,
  EKU.clientAuth,
  EKU.emailProtection,
  EKU.timeStamping,
  EKU.ocspSigning,
];

/** Key usages a signing leaf (code signing or timestamping) must not assert: it signs, it does not encrypt, agree keys or issue. */
const FORBIDDEN_LEAF_KEY_USAGES =
  KeyUsageFlags.keyEncipherment |
  KeyUsageFlags.dataEncipherment |
  KeyUsageFlags.keyAgreement |
  KeyUsageFlags.keyCertSign |
  KeyUsageFlags.cRLSign |
  KeyUsageFlags.encipherOnly |
  KeyUsageFlags.decipherOnly;

/** Curves the spec allows (OpenSSL names): P-256, P-384, P-521. */
const ALLOWED_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);
const MIN_RSA_BITS = 2048;
/** Signature hashes a certificate may be signed with: SHA-1 and weaker are refused (spec: no SHA-1). */
const ALLOWED_SIGNATURE_HASHES = new Set(['sha256', 'sha384', 'sha512']);

const who = (cert: ParsedCertificate) => `certificate "${subjectText(cert)}"`;

/** Key and signature-algorithm rules, for every certificate of a chain. */
export function checkKeyAndAlgorithm(cert: ParsedCertificate): string | undefined {
  const { key } = cert;
  if (key.type === 'rsa') {
    if ((key.modulusBits ?? 0) < MIN_RSA_BITS)
      return `${who(cert)} has an RSA key of ${key.modulusBits} bits (minimum 2048)`;
  } else if (key.type === 'ec') {
    if (!key.curve || !ALLOWED_CURVES.has(key.curve))
      return `${who(cert)} has an EC key on unsupported curve ${key.curve}`;
  } else {
    return `${who(cert)} has a ${key.type} key; only RSA and ECDSA (P-256, P-384, P-521) are supported`;
  }
  const hash = cert.signatureAlgorithm.hash;
  if (!hash || !ALLOWED_SIGNATURE_HASHES.has(hash)) {
    return `${who(cert)} is signed with ${hash ?? `algorithm ${cert.signatureAlgorithm.oid}`}; SHA-256 or stronger is required`;
  }
  return undefined;
}

/**
 * A CA certificate: basicConstraints present, critical, cA true, pathLen (when set) not below the number of CAs
 * beneath it; keyUsage present with keyCertSign, and critical unless `keyUsageMayBeNonCritical` (TSA chains: should).
 */
export function checkCa(
  cert: ParsedCertificate,
  casBelow: number,
  opts: { keyUsageMayBeNonCritical?: boolean } = {},
): string | undefined {
  const bc = cert.basicConstraints;
  if (!bc) return `${who(cert)} is a CA but has no basicConstraints extension`;
  if (!bc.critical) return `${who(cert)} is a CA but its basicConstraints extension is not critical`;
  if (!bc.value.cA) return `${who(cert)} issues certificates but its basicConstraints say it is not a CA`;
  if (bc.value.pathLen !== undefined && casBelow > bc.value.pathLen) {
    return `${who(cert)} allows ${bc.value.pathLen} intermediate CA(s) below it, the chain has ${casBelow}`;
  }
  const ku = cert.keyUsage;
  if (!ku) return `${who(cert)} is a CA but has no keyUsage extension`;
  if (!ku.critical && !opts.keyUsageMayBeNonCritical) return `${who(cert)} is a CA but its keyUsage is not critical`;
  if (!(ku.value & KeyUsageFlags.keyCertSign)) return `${who(cert)} is a CA but its keyUsage lacks keyCertSign`;
  return checkKeyAndAlgorithm(cert);
}

function checkNotCa(cert: ParsedCertificate): string | undefined {
  if (cert.basicConstraints?.value.cA) return `${who(cert)} signs artifacts but its basicConstraints say it is a CA`;
  return undefined;
}

/** A code-signing leaf (the certificate whose key made the signature). */
export function checkCodeSigningLeaf(cert: ParsedCertificate): string | undefined {
  const notCa = checkNotCa(cert);
  if (notCa) return notCa;
  const ku = cert.keyUsage;
  if (!ku) return `${who(cert)} has no keyUsage extension`;
  if (!ku.critical) return `${who(cert)} has a keyUsage extension that is not critical`;
  if (!(ku.value & KeyUsageFlags.digitalSignature)) return `${who(cert)} keyUsage lacks digitalSignature`;
  if (ku.value & FORBIDDEN_LEAF_KEY_USAGES) {
    return `${who(cert)} keyUsage allows more than signing (keyEncipherment, dataEncipherment, keyAgreement, keyCertSign, cRLSign, encipherOnly or decipherOnly)`;
  }
  const forbidden = cert.extKeyUsage?.value.find((eku) => FORBIDDEN_CODE_SIGNING_EKUS.includes(eku));
  if (forbidden)
    return `${who(cert)} has extended key usage ${forbidden}, which a code-signing certificate must not have`;
  return checkKeyAndAlgorithm(cert);
}

/**
 * A timestamping leaf (RFC 3161 2.3): EKU present, critical, timeStamping only; keyUsage present (the spec's "KU
 * present"; criticality is not required of a TSA) with digitalSignature and nothing beyond signing.
 */
export function checkTimestampingLeaf(cert: ParsedCertificate): string | undefined {
  const notCa = checkNotCa(cert);
  if (notCa) return notCa;
  const ku = cert.keyUsage;
  if (!ku) return `${who(cert)} has no keyUsage extension`;
  if (!(ku.value & KeyUsageFlags.digitalSignature)) return `${who(cert)} keyUsage lacks digitalSignature`;
  if (ku.value & FORBIDDEN_LEAF_KEY_USAGES) {
    return `${who(cert)} keyUsage allows more than signing (keyEncipherment, dataEncipherment, keyAgreement, keyCertSign, cRLSign, encipherOnly or decipherOnly)`;
  }
  const eku = cert.extKeyUsage;
  if (!eku) return `${who(cert)} has no extended key usage; a TSA certificate needs timeStamping`;
  if (!eku.critical) return `${who(cert)} extended key usage is not critical (RFC 3161 requires it)`;
  if (eku.value.length !== 1 || eku.value[0] !== EKU.timeStamping) {
    return `${who(cert)} extended key usage must be timeStamping only`;
  }
  return checkKeyAndAlgorithm(cert);
}
