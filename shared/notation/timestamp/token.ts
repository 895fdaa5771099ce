/**
 * Parsing an RFC 3161 TimeStampToken (section 2.4.2): a CMS ContentInfo of type SignedData whose encapsulated
 * content is a DER TSTInfo. Only structure is checked here; signatures and trust are the verifier's.
 * Sizes are bounded before and while parsing: the token comes from an unauthenticated envelope header.
 */

import type * as Pkijs from 'pkijs';
import type { PkiLibraries } from '../pki-libraries';
import { TimestampError } from './errors';
import { type ParsedCertificate, parsedCertificateFromDer } from './parsed-certificate';

/**
 * Largest token accepted (64 KiB). A token with a four-certificate RSA-4096 chain is about 8 KiB; real tokens of
 * public TSAs (DigiCert, Microsoft, Sectigo) are 2-7 KiB. Anything bigger is not a timestamp we need to parse.
 */
export const MAX_TIMESTAMP_TOKEN_BYTES = 64 * 1024;
/** Most certificates a token may carry (public TSAs send 1-4; each one costs a parse and maybe a signature check). */
export const MAX_TOKEN_CERTIFICATES = 8;
/** Most SignerInfos tried (a TSA signs once; tspclient-go accepts the first that verifies). */
export const MAX_TOKEN_SIGNER_INFOS = 2;

const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const ID_CT_TST_INFO = '1.2.840.113549.1.9.16.1.4';

export interface ParsedTimestampToken {
  readonly signedData: Pkijs.SignedData;
  readonly tstInfo: Pkijs.TSTInfo;
  /** The token's certificates, in the order of `signedData.certificates`, each with its exact DER. */
  readonly certificates: readonly ParsedCertificate[];
}

export function parseTimestampToken(tokenDer: Uint8Array, libs: PkiLibraries): ParsedTimestampToken {
  const { asn1js, pkijs } = libs;
  if (tokenDer.byteLength > MAX_TIMESTAMP_TOKEN_BYTES) {
    throw new TimestampError(`the token is ${tokenDer.byteLength} bytes, more than ${MAX_TIMESTAMP_TOKEN_BYTES}`);
  }
  const malformed = (why: string, cause?: unknown): never => {
    throw new TimestampError(`the token is not a CMS SignedData TimeStampToken: ${why}`, { cause });
  };
  const parsed = asn1js.fromBER(tokenDer);
  if (parsed.offset === -1) malformed(parsed.result.error || 'not BER');
  if (parsed.offset !== tokenDer.byteLength) malformed('bytes follow the ContentInfo');

  let signedData: Pkijs.SignedData;
  let certificates: ParsedCertificate[];
  try {
    const contentInfo = new pkijs.ContentInfo({ schema: parsed.result });
    if (contentInfo.contentType !== ID_SIGNED_DATA) malformed(`content type is ${contentInfo.contentType}`);
    // The certificates are taken out of the tree before pkijs reads the SignedData: parsing them with its schema
    // was most of a token's CPU, and they are the same TSA certificates token after token, so they come from the
    // per-DER cache (parsed-certificate.ts) instead and are handed back to pkijs as objects.
    const raw = takeCertificateSet(contentInfo.content, libs);
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
    certificates = tokenCertificates(raw, libs);
    if (certificates.length > 0) signedData.certificates = certificates.map((certificate) => certificate.pki);
  } catch (error) {
    if (error instanceof TimestampError) throw error;
    return malformed((error as Error).message, error);
  }
  if (signedData.encapContentInfo.eContentType !== ID_CT_TST_INFO) {
    malformed(`encapsulated content type is ${signedData.encapContentInfo.eContentType}, not id-ct-TSTInfo`);
  }
  if (signedData.signerInfos.length === 0) malformed('it has no SignerInfo');
  if (signedData.signerInfos.length > MAX_TOKEN_SIGNER_INFOS) {
    malformed(`it has ${signedData.signerInfos.length} SignerInfos, more than ${MAX_TOKEN_SIGNER_INFOS}`);
  }

  const eContent = signedData.encapContentInfo.eContent;
  if (!eContent) return malformed('the TSTInfo is missing');
  const tstInfoDer = new Uint8Array(eContent.getValue());
  const tstInfoAsn1 = asn1js.fromBER(tstInfoDer);
  if (tstInfoAsn1.offset === -1 || tstInfoAsn1.offset !== tstInfoDer.byteLength) malformed('the TSTInfo is not DER');
  let tstInfo: Pkijs.TSTInfo;
  try {
    tstInfo = new pkijs.TSTInfo({ schema: tstInfoAsn1.result });
  } catch (error) {
    return malformed(`the TSTInfo does not match its schema (${(error as Error).message})`, error);
  }

  return { signedData, tstInfo, certificates };
}

/**
 * Removes the certificates field, [0] IMPLICIT CertificateSet, from the SignedData's ASN.1 tree and returns its
 * elements, each with its exact bytes (signing-certificate-v2 hashes them; re-encoding could change them).
 */
function takeCertificateSet(signedDataAsn1: unknown, { asn1js }: PkiLibraries): Asn1Element[] {
  if (!(signedDataAsn1 instanceof asn1js.Sequence)) throw new Error('the SignedData is not a SEQUENCE');
  const fields = signedDataAsn1.valueBlock.value;
  const index = fields.findIndex((field) => field.idBlock.tagClass === CONTEXT && field.idBlock.tagNumber === 0);
  if (index === -1) return [];
  const [set] = fields.splice(index, 1);
  const elements = set && 'value' in set.valueBlock ? (set.valueBlock.value as Asn1Element[]) : undefined;
  if (!elements) throw new TimestampError('the token certificates cannot be read');
  return elements;
}

interface Asn1Element {
  readonly idBlock: { readonly tagClass: number; readonly tagNumber: number };
  readonly valueBeforeDecodeView: Uint8Array;
}

const UNIVERSAL = 1;
const CONTEXT = 3;
const SEQUENCE_TAG = 16;

function tokenCertificates(elements: readonly Asn1Element[], libs: PkiLibraries): ParsedCertificate[] {
  if (elements.length > MAX_TOKEN_CERTIFICATES) {
    throw new TimestampError(`the token carries ${elements.length} certificates, more than ${MAX_TOKEN_CERTIFICATES}`);
  }
  return elements.map((element, index) => {
    // CertificateChoices: a plain SEQUENCE is an X.509 certificate; the tagged choices are attribute or other
    // certificates, which a TSA chain cannot use.
    if (element.idBlock.tagClass !== UNIVERSAL || element.idBlock.tagNumber !== SEQUENCE_TAG) {
      throw new TimestampError('the token carries a certificate that is not an X.509 certificate');
    }
    try {
      const certificate = parsedCertificateFromDer(new Uint8Array(element.valueBeforeDecodeView), libs);
      void certificate.pki; // pkijs must read it too: the CMS signature is verified against its object
      return certificate;
    } catch (error) {
      throw new TimestampError(`token certificate ${index} is not a valid X.509 certificate`, { cause: error });
    }
  });
}
