/**
 * Builds RFC 3161 TimeStampTokens with pkijs, for the cases a real TSA will not produce: openssl refuses to sign
 * with a certificate whose EKU is not critical or not sole, and always stamps the current time. The suite checks
 * that openssl accepts what this builds with a good certificate, so the builder stays honest.
 */
import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { IssuedCertificate } from './x509-kit';

const OIDS = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

export interface BuildTokenOptions {
  readonly signer: IssuedCertificate;
  /** Certificates in the token besides the signer (which is always included first). */
  readonly extraCertificates?: readonly IssuedCertificate[];
  /** The bytes whose SHA-256 is the message imprint (the envelope's primitive signature). */
  readonly imprintOf: Uint8Array;
  readonly genTime: Date;
  readonly policy: string;
  readonly accuracy?: { seconds?: number; millis?: number; micros?: number };
  readonly signingCertificateV2?: boolean;
  readonly version?: number;
}

export async function buildTimestampToken(options: BuildTokenOptions): Promise<Uint8Array> {
  const signer = pkijs.Certificate.fromBER(options.signer.der);
  const tstInfo = new pkijs.TSTInfo({
    version: options.version ?? 1,
    policy: options.policy,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OIDS.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: sha256(options.imprintOf) }),
    }),
    serialNumber: new asn1js.Integer({ value: 7 }),
    genTime: options.genTime,
    ...(options.accuracy && { accuracy: new pkijs.Accuracy(options.accuracy) }),
  });
  const tstInfoDer = tstInfo.toSchema().toBER();
  const attributes = [
    new pkijs.Attribute({ type: OIDS.contentType, values: [new asn1js.ObjectIdentifier({ value: OIDS.tstInfo })] }),
    new pkijs.Attribute({
      type: OIDS.messageDigest,
      values: [new asn1js.OctetString({ valueHex: sha256(tstInfoDer) })],
    }),
  ];
  if (options.signingCertificateV2 !== false) {
    const essCertIdV2 = new asn1js.Sequence({
      value: [new asn1js.OctetString({ valueHex: sha256(options.signer.der) })],
    });
    attributes.push(
      new pkijs.Attribute({
        type: OIDS.signingCertificateV2,
        values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] })],
      }),
    );
  }
  const encapContentInfo = new pkijs.EncapsulatedContentInfo({ eContentType: OIDS.tstInfo });
  // Set after construction: the constructor would turn it into a constructed (BER, non-DER) OCTET STRING.
  encapContentInfo.eContent = new asn1js.OctetString({ valueHex: tstInfoDer });
  const signedData = new pkijs.SignedData({
    version: 3,
    encapContentInfo,
    certificates: [signer, ...(options.extraCertificates ?? []).map((extra) => pkijs.Certificate.fromBER(extra.der))],
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: signer.issuer, serialNumber: signer.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
      }),
    ],
  });
  await signedData.sign(options.signer.keys.privateKey as never, 0, 'SHA-256', undefined, pkijsCrypto());
  const contentInfo = new pkijs.ContentInfo({ contentType: OIDS.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(contentInfo.toSchema().toBER());
}

function sha256(data: ArrayBuffer | Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(new Uint8Array(data)).digest());
}

function pkijsCrypto() {
  return new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as never });
}
