/**
 * The ESS signing-certificate-v2 attribute (RFC 5035, required in timestamp tokens by RFC 5816 / RFC 3161
 * section 2.4.1): it binds the TSA's signature to one certificate by hash, so a token cannot be re-pointed at
 * another certificate with the same key. The first ESSCertIDv2 identifies the signer (RFC 5035 section 5.4.1.1).
 *
 *   SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies SEQUENCE OF PolicyInformation OPTIONAL }
 *   ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {id-sha256}, certHash OCTET STRING,
 *                              issuerSerial IssuerSerial OPTIONAL }
 *   IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
 */
import { createHash } from 'node:crypto';
import type * as Asn1js from 'asn1js';
import type * as Pkijs from 'pkijs';
import type { PkiLibraries } from '../pki-libraries';
import { TimestampError } from './errors';
import { hashAlgorithmOf } from './hash-algorithms';
import type { ParsedCertificate } from './parsed-certificate';

export const ID_AA_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
const ID_AA_SIGNING_CERTIFICATE_V1 = '1.2.840.113549.1.9.16.2.12';
const DIRECTORY_NAME = 4;

/** Throws unless the signer info's signing-certificate-v2 attribute names exactly `signer`. */
export function checkSigningCertificateV2(
  signerInfo: Pkijs.SignerInfo,
  signer: ParsedCertificate,
  libs: PkiLibraries,
): void {
  const attributes = signerInfo.signedAttrs?.attributes ?? [];
  const matching = attributes.filter((attribute) => attribute.type === ID_AA_SIGNING_CERTIFICATE_V2);
  if (matching.length === 0) {
    const hasV1 = attributes.some((attribute) => attribute.type === ID_AA_SIGNING_CERTIFICATE_V1);
    throw new TimestampError(
      hasV1
        ? 'the token has only a signing-certificate (v1, SHA-1) attribute; signing-certificate-v2 is required'
        : 'the token has no signing-certificate-v2 attribute',
    );
  }
  if (matching.length > 1 || matching[0]?.values.length !== 1) {
    throw new TimestampError('the signing-certificate-v2 attribute must appear once with one value');
  }
  const first = firstCertId(matching[0].values[0], libs);
  const hashAlgorithm = first.hashAlgorithmOid === undefined ? 'sha256' : hashAlgorithmOf(first.hashAlgorithmOid);
  if (!hashAlgorithm) {
    throw new TimestampError(`signing-certificate-v2 uses an unsupported hash (${first.hashAlgorithmOid})`);
  }
  const actual = createHash(hashAlgorithm).update(signer.der).digest();
  if (!actual.equals(first.certHash)) {
    throw new TimestampError('the signing-certificate-v2 hash does not match the certificate that signed the token');
  }
  if (first.issuerSerial) {
    const { issuer, serialNumber } = first.issuerSerial;
    const sameSerial = Buffer.from(serialNumber).equals(Buffer.from(signer.pki.serialNumber.valueBlock.valueHexView));
    if (!sameSerial || !signer.pki.issuer.isEqual(issuer)) {
      throw new TimestampError(
        'the signing-certificate-v2 issuer and serial do not name the certificate that signed the token',
      );
    }
  }
}

interface CertId {
  readonly hashAlgorithmOid?: string;
  readonly certHash: Buffer;
  readonly issuerSerial?: { readonly issuer: Pkijs.RelativeDistinguishedNames; readonly serialNumber: Uint8Array };
}

function firstCertId(value: unknown, { asn1js, pkijs }: PkiLibraries): CertId {
  const malformed = (why: string): never => {
    throw new TimestampError(`the signing-certificate-v2 attribute is malformed: ${why}`);
  };
  const sequence = (node: unknown, what: string): Asn1js.Sequence =>
    node instanceof asn1js.Sequence ? node : malformed(`${what} is not a SEQUENCE`);
  const certs = sequence(sequence(value, 'SigningCertificateV2').valueBlock.value[0], 'certs');
  const certId = sequence(certs.valueBlock.value[0] ?? malformed('certs is empty'), 'ESSCertIDv2');
  const fields = [...certId.valueBlock.value];
  let hashAlgorithmOid: string | undefined;
  if (fields[0] instanceof asn1js.Sequence) {
    try {
      hashAlgorithmOid = new pkijs.AlgorithmIdentifier({ schema: fields.shift() }).algorithmId;
    } catch {
      malformed('hashAlgorithm is not an AlgorithmIdentifier');
    }
  }
  const hash = fields.shift();
  if (!(hash instanceof asn1js.OctetString)) return malformed('certHash is not an OCTET STRING');
  const certHash = Buffer.from(hash.valueBlock.valueHexView);
  const issuerSerialNode = fields.shift();
  if (issuerSerialNode === undefined) return { hashAlgorithmOid, certHash };
  const [generalNamesNode, serialNode] = sequence(issuerSerialNode, 'issuerSerial').valueBlock.value;
  let names: Pkijs.GeneralNames;
  try {
    names = new pkijs.GeneralNames({ schema: generalNamesNode });
  } catch {
    return malformed('issuerSerial.issuer is not GeneralNames');
  }
  const directoryName = names.names.find((name) => name.type === DIRECTORY_NAME);
  if (!directoryName || !(serialNode instanceof asn1js.Integer)) {
    return malformed('issuerSerial needs a directoryName issuer and a serial number');
  }
  return {
    hashAlgorithmOid,
    certHash,
    issuerSerial: {
      issuer: directoryName.value as Pkijs.RelativeDistinguishedNames,
      serialNumber: serialNode.valueBlock.valueHexView,
    },
  };
}
