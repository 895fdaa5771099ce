/**
 * The X.509 extensions the timestamp and revocation checks read, with their criticality: node's X509Certificate
 * exposes neither key usage bits nor criticality, so they are decoded here from the DER (RFC 5280 section 4.2).
 * An extension that appears twice, or does not decode, makes the certificate unusable: RFC 5280 forbids
 * duplicates, and a verifier must not guess which copy counts.
 */
import type * as Pkijs from 'pkijs';
import type { PkiLibraries } from '../pki-libraries';

export const EXTENSION_OIDS = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  crlDistributionPoints: '2.5.29.31',
} as const;

/** Key usage bit names in their RFC 5280 bit order. */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

export interface CertificateExtensions {
  readonly basicConstraints?: { readonly critical: boolean; readonly ca: boolean; readonly pathLength?: number };
  readonly keyUsage?: { readonly critical: boolean; readonly usages: ReadonlySet<KeyUsage> };
  readonly extKeyUsage?: { readonly critical: boolean; readonly purposes: readonly string[] };
}

/** Decodes the extensions above; throws an Error naming the problem when one is duplicated or malformed. */
export function readCertificateExtensions(
  certificate: Pkijs.Certificate,
  { asn1js, pkijs }: PkiLibraries,
): CertificateExtensions {
  const seen = new Set<string>();
  const result: {
    basicConstraints?: CertificateExtensions['basicConstraints'];
    keyUsage?: CertificateExtensions['keyUsage'];
    extKeyUsage?: CertificateExtensions['extKeyUsage'];
  } = {};
  for (const extension of certificate.extensions ?? []) {
    if (seen.has(extension.extnID)) throw new Error(`extension ${extension.extnID} appears more than once`);
    seen.add(extension.extnID);
    const decode = () => decodeExtensionValue(extension, { asn1js });
    try {
      switch (extension.extnID) {
        case EXTENSION_OIDS.basicConstraints: {
          const value = new pkijs.BasicConstraints({ schema: decode() });
          const pathLength =
            value.pathLenConstraint === undefined
              ? undefined
              : typeof value.pathLenConstraint === 'number'
                ? value.pathLenConstraint
                : value.pathLenConstraint.valueBlock.valueDec;
          result.basicConstraints = { critical: extension.critical, ca: value.cA, pathLength };
          break;
        }
        case EXTENSION_OIDS.keyUsage: {
          const bits = decode();
          if (!(bits instanceof asn1js.BitString)) throw new Error('keyUsage is not a BIT STRING');
          result.keyUsage = { critical: extension.critical, usages: keyUsagesOf(bits.valueBlock.valueHexView) };
          break;
        }
        case EXTENSION_OIDS.extKeyUsage: {
          const value = new pkijs.ExtKeyUsage({ schema: decode() });
          result.extKeyUsage = { critical: extension.critical, purposes: value.keyPurposes };
          break;
        }
      }
    } catch (error) {
      throw new Error(`extension ${extension.extnID} cannot be decoded: ${(error as Error).message}`, { cause: error });
    }
  }
  return result;
}

/** The ASN.1 inside an extension's OCTET STRING; throws when it is not one complete BER value. */
export function decodeExtensionValue(extension: Pkijs.Extension, { asn1js }: Pick<PkiLibraries, 'asn1js'>) {
  const bytes = extension.extnValue.valueBlock.valueHexView;
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset === -1 || parsed.offset !== bytes.byteLength) {
    throw new Error(`extension ${extension.extnID} is not valid DER`);
  }
  return parsed.result;
}

function keyUsagesOf(bytes: Uint8Array): Set<KeyUsage> {
  const usages = new Set<KeyUsage>();
  KEY_USAGE_BITS.forEach((name, bit) => {
    const byte = bytes[bit >> 3] ?? 0;
    if (byte & (0x80 >> (bit & 7))) usages.add(name);
  });
  return usages;
}
