/**
 * Where a certificate says its revocation status is published: OCSP responders in authorityInfoAccess
 * (RFC 5280 section 4.2.2.1, id-ad-ocsp) and CRL distribution points (section 4.2.1.13), as URIs. Like Go's
 * crypto/x509 (which notation-core-go relies on), only fullName URIs count; other name forms are not locations
 * an HTTP client can fetch. An extension that does not decode is an error, never "no locations": that would
 * turn a malformed certificate into "not revocable".
 */
import type * as Pkijs from 'pkijs';
import type { PkiLibraries } from '../pki-libraries';

/** authorityInfoAccess (RFC 5280 4.2.2.1) and cRLDistributionPoints (4.2.1.13). */
const ID_PE_AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
const ID_CE_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const ID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
const URI_NAME = 6;

export interface RevocationLocations {
  readonly ocspUrls: readonly string[];
  readonly crlUrls: readonly string[];
}

export function revocationLocations(certificate: Pkijs.Certificate, libs: PkiLibraries): RevocationLocations {
  const { pkijs } = libs;
  const ocspUrls: string[] = [];
  const crlUrls: string[] = [];
  for (const extension of certificate.extensions ?? []) {
    if (extension.extnID === ID_PE_AUTHORITY_INFO_ACCESS) {
      const access = new pkijs.InfoAccess({ schema: decodeExtensionValue(extension, libs) });
      for (const description of access.accessDescriptions) {
        if (description.accessMethod === ID_AD_OCSP && description.accessLocation.type === URI_NAME) {
          ocspUrls.push(String(description.accessLocation.value));
        }
      }
    }
    if (extension.extnID === ID_CE_CRL_DISTRIBUTION_POINTS) {
      const points = new pkijs.CRLDistributionPoints({ schema: decodeExtensionValue(extension, libs) });
      for (const point of points.distributionPoints) {
        const names = point.distributionPoint;
        if (!Array.isArray(names)) continue;
        for (const name of names) if (name.type === URI_NAME) crlUrls.push(String(name.value));
      }
    }
  }
  return { ocspUrls, crlUrls };
}

/** The ASN.1 inside an extension's OCTET STRING; throws when it is not one complete BER value. */
function decodeExtensionValue(extension: Pkijs.Extension, { asn1js }: Pick<PkiLibraries, 'asn1js'>) {
  const bytes = extension.extnValue.valueBlock.valueHexView;
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset === -1 || parsed.offset !== bytes.byteLength) {
    throw new Error(`extension ${extension.extnID} is not valid DER`);
  }
  return parsed.result;
}
