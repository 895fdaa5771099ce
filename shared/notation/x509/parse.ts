/**
 * One certificate, parsed once: node:crypto's X509Certificate (signatures, keys, fingerprints) beside what Node does
 * not expose (key usage bits, basic constraints, EKU, their criticality, the signature algorithm, the subject's
 * attributes) read with @peculiar/asn1-x509.
 */
import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  KeyUsage,
  type Name,
} from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import { type CertificateParts, certificateParts } from './der';

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

/** The hash of an RSASSA-PSS AlgorithmIdentifier's parameters: absent [0] means the default, SHA-1 (RFC 4055). */
function pssHash(params: ArrayBuffer | undefined): string | undefined {
  if (!params) return 'sha1';
  const parsed = asn1js.fromBER(params);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return undefined;
  const hashField = parsed.result.valueBlock.value.find((v) => v.idBlock.tagClass === 3 && v.idBlock.tagNumber === 0);
  if (!hashField) return 'sha1';
  const algId = (hashField as asn1js.Constructed).valueBlock.value[0];
  const oid = algId instanceof asn1js.Sequence ? algId.valueBlock.value[0] : undefined;
  return oid instanceof asn1js.ObjectIdentifier ? HASH_OIDS[oid.valueBlock.toString()] : undefined;
}

function rdnsOf(name: Name): DnAttribute[][] {
  return name.map((rdn) =>
    rdn.map((atv) => ({ type: ATTRIBUTE_NAMES[atv.type] ?? atv.type, value: atv.value.toString() })),
  );
}

export function parseCertificate(der: Uint8Array): ParsedCertificate {
  let x509: X509Certificate;
  let asn: Certificate;
  let parts: CertificateParts;
  try {
    x509 = new X509Certificate(der);
    asn = AsnConvert.parse(der, Certificate);
    parts = certificateParts(der);
  } catch (cause) {
    throw new CertificateParseError(`not a valid X.509 certificate: ${(cause as Error).message}`, { cause });
  }
  const tbs = asn.tbsCertificate;
  const seen = new Set<string>();
  let keyUsage: Flagged<number> | undefined;
  let basicConstraints: ParsedCertificate['basicConstraints'];
  let extKeyUsage: Flagged<readonly string[]> | undefined;
  for (const ext of tbs.extensions ?? []) {
    // RFC 5280 4.2: a certificate must not include more than one instance of a particular extension.
    if (seen.has(ext.extnID)) throw new CertificateParseError(`certificate repeats extension ${ext.extnID}`);
    seen.add(ext.extnID);
    const critical = ext.critical === true;
    try {
      if (ext.extnID === id_ce_keyUsage) {
        const ku = AsnConvert.parse(ext.extnValue, KeyUsage);
        keyUsage = { critical, value: ku.toNumber() };
      } else if (ext.extnID === id_ce_basicConstraints) {
        const bc = AsnConvert.parse(ext.extnValue, BasicConstraints);
        basicConstraints = { critical, value: { cA: bc.cA === true, pathLen: bc.pathLenConstraint } };
      } else if (ext.extnID === id_ce_extKeyUsage) {
        extKeyUsage = { critical, value: [...AsnConvert.parse(ext.extnValue, ExtendedKeyUsage)] };
      }
    } catch (cause) {
      throw new CertificateParseError(`certificate extension ${ext.extnID} is malformed`, { cause });
    }
  }
  const sigOid = asn.signatureAlgorithm.algorithm;
  const hash =
    sigOid === RSASSA_PSS ? pssHash(asn.signatureAlgorithm.parameters ?? undefined) : SIGNATURE_HASHES[sigOid];
  const details = x509.publicKey.asymmetricKeyDetails ?? {};
  return {
    x509,
    der,
    parts,
    subjectRdns: rdnsOf(tbs.subject),
    notBeforeMs: tbs.validity.notBefore.getTime().getTime(),
    notAfterMs: tbs.validity.notAfter.getTime().getTime(),
    key: {
      type: x509.publicKey.asymmetricKeyType ?? 'unknown',
      modulusBits: details.modulusLength,
      curve: details.namedCurve,
    },
    signatureAlgorithm: { oid: sigOid, hash },
    keyUsage,
    basicConstraints,
    extKeyUsage,
    sha256Hex: x509.fingerprint256.replaceAll(':', '').toLowerCase(),
  };
}

/** The subject as RFC 4514-ish text for logs and reasons (most significant RDN last, as Go prints it). */
export function subjectText(cert: ParsedCertificate): string {
  return [...cert.subjectRdns]
    .reverse()
    .map((rdn) => rdn.map((a) => `${a.type}=${a.value.replace(/([,+"\\<>;=])/g, '\\$1')}`).join('+'))
    .join(',');
}
