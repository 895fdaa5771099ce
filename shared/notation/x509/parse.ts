/**
 * One certificate, parsed once: node:crypto's X509Certificate (signatures, keys, fingerprints) beside what Node does
 * not expose (key usage bits, basic constraints, EKU, their criticality, the signature algorithm, the subject's
 * attributes) read with @peculiar/asn1-x509.
 */

import { createHash, X509Certificate } from 'node:crypto';
import { BoundedMap } from '../../cache/bounded-map';
import { type CertificateParts, certificateParts, type RawExtension, readExtensions, readName } from './der';
import { readAlgorithm, readBasicConstraints, readExtKeyUsage, readKeyUsage, readValidity } from './der-fields';
import { ID_CE_BASIC_CONSTRAINTS, ID_CE_EXT_KEY_USAGE, ID_CE_KEY_USAGE } from './extension-ids';

export interface Flagged<T> {
  readonly critical: boolean;
  readonly value: T;
}

export interface PublicKeyInfo {
  readonly type: string;
  /** RSA modulus length in bits. */
  readonly modulusBits?: number;
  /** OpenSSL curve name: prime256v1, secp384r1, secp521r1. */
  readonly curve?: string;
}

/** One attribute of a distinguished name, e.g. { type: 'CN', value: 'acme' }. */
export interface DnAttribute {
  readonly type: string;
  readonly value: string;
}

export interface ParsedCertificate {
  readonly x509: X509Certificate;
  readonly der: Uint8Array;
  readonly parts: CertificateParts;
  /** Subject RDNs in certificate order; each RDN is its attributes (more than one = multi-valued). */
  readonly subjectRdns: readonly (readonly DnAttribute[])[];
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  readonly key: PublicKeyInfo;
  /** Signature algorithm OID of the certificate's own signature, and its hash when known. */
  readonly signatureAlgorithm: { readonly oid: string; readonly hash: string | undefined };
  /** KeyUsage bits as KeyUsageFlags (digitalSignature = 1, ...). */
  readonly keyUsage?: Flagged<number>;
  readonly basicConstraints?: Flagged<{ readonly cA: boolean; readonly pathLen: number | undefined }>;
  readonly extKeyUsage?: Flagged<readonly string[]>;
  /** Lowercase hex SHA-256 of the DER (what `io.cncf.notary.x509chain.thumbprint#S256` lists). */
  readonly sha256Hex: string;
}

/** Short names Notation (Go's pkix.Name) gives the attribute types identities are written with. */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.17': 'POSTALCODE',
  '1.2.840.113549.1.9.1': 'EMAILADDRESS',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

const SIGNATURE_HASHES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'md5',
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha1',
};
const HASH_OIDS: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';

export class CertificateParseError extends Error {}

function rdnsOf(name: ReturnType<typeof readName>): DnAttribute[][] {
  return name.map((rdn) => rdn.map((atv) => ({ type: ATTRIBUTE_NAMES[atv.oid] ?? atv.oid, value: atv.value })));
}

/**
 * Parsed certificates by SHA-256 of their DER. The same intermediates and roots come with every signature, and
 * parsing is most of a verification's CPU. Parsing is a pure function of the bytes, so a hit is exact. 256 entries
 * hold the chains of far more signers than one cluster trusts; the oldest entry goes first.
 */
export const PARSED_CERTIFICATE_CACHE_ENTRIES = 256;
const parsedCache = new BoundedMap<string, ParsedCertificate>(PARSED_CERTIFICATE_CACHE_ENTRIES);

export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const sha256Hex = createHash('sha256').update(der).digest('hex');
  const cached = parsedCache.get(sha256Hex);
  if (cached) return cached;
  const parsed = parseUncached(der, sha256Hex);
  parsedCache.set(sha256Hex, parsed);
  return parsed;
}

function parseUncached(der: Uint8Array, sha256Hex: string): ParsedCertificate {
  let x509: X509Certificate;
  let parts: CertificateParts;
  let subjectRdns: DnAttribute[][];
  let validity: { notBeforeMs: number; notAfterMs: number };
  let extensions: RawExtension[];
  let sigAlg: { oid: string; pssHashOid: string | undefined };
  try {
    // Node's parser vouches for the whole structure; the fields Node does not expose are walked by hand.
    x509 = new X509Certificate(der);
    parts = certificateParts(der);
    subjectRdns = rdnsOf(readName(parts.subject));
    validity = readValidity(parts.validity);
    extensions = parts.extensions ? readExtensions(parts.extensions) : [];
    sigAlg = readAlgorithm(parts.signatureAlgorithm);
  } catch (cause) {
    throw new CertificateParseError(`not a valid X.509 certificate: ${(cause as Error).message}`, { cause });
  }
  const seen = new Set<string>();
  let keyUsage: Flagged<number> | undefined;
  let basicConstraints: ParsedCertificate['basicConstraints'];
  let extKeyUsage: Flagged<readonly string[]> | undefined;
  for (const ext of extensions) {
    // RFC 5280 4.2: a certificate must not include more than one instance of a particular extension.
    if (seen.has(ext.oid)) throw new CertificateParseError(`certificate repeats extension ${ext.oid}`);
    seen.add(ext.oid);
    const { critical } = ext;
    try {
      if (ext.oid === ID_CE_KEY_USAGE) keyUsage = { critical, value: readKeyUsage(ext.value) };
      else if (ext.oid === ID_CE_BASIC_CONSTRAINTS)
        basicConstraints = { critical, value: readBasicConstraints(ext.value) };
      else if (ext.oid === ID_CE_EXT_KEY_USAGE) extKeyUsage = { critical, value: readExtKeyUsage(ext.value) };
    } catch (cause) {
      throw new CertificateParseError(`certificate extension ${ext.oid} is malformed`, { cause });
    }
  }
  // RSASSA-PSS without a hashAlgorithm means SHA-1 (RFC 4055 3.1).
  const hash =
    sigAlg.oid === RSASSA_PSS
      ? sigAlg.pssHashOid === undefined
        ? 'sha1'
        : HASH_OIDS[sigAlg.pssHashOid]
      : SIGNATURE_HASHES[sigAlg.oid];
  const details = x509.publicKey.asymmetricKeyDetails ?? {};
  return {
    x509,
    der,
    parts,
    subjectRdns,
    ...validity,
    key: {
      type: x509.publicKey.asymmetricKeyType ?? 'unknown',
      modulusBits: details.modulusLength,
      curve: details.namedCurve,
    },
    signatureAlgorithm: { oid: sigAlg.oid, hash },
    keyUsage,
    basicConstraints,
    extKeyUsage,
    sha256Hex,
  };
}

/** The subject as RFC 4514-ish text for logs and reasons (most significant RDN last, as Go prints it). */
export function subjectText(cert: ParsedCertificate): string {
  return [...cert.subjectRdns]
    .reverse()
    .map((rdn) => rdn.map((a) => `${a.type}=${a.value.replace(/([,+"\\<>;=])/g, '\\$1')}`).join('+'))
    .join(',');
}
