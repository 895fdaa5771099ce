import 'reflect-metadata';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import {
  revocationCertificateHashes,
  tbsCertificateDer,
} from '../../../../shared/notation/aws-signer/certificate-hashes';
import { AWS_SIGNER_ROOT } from '../../../../shared/notation/aws-signer/roots';
import { type AwsShapedChain, buildAwsShapedChain } from '../../../harness/aws-signer-chain';

const sha384 = (bytes: Uint8Array) => createHash('sha384').update(bytes).digest('hex');

describe('GetRevocationStatus certificate hashes', () => {
  let aws: AwsShapedChain;
  beforeAll(async () => {
    aws = await buildAwsShapedChain({ leafNotBeforeMs: Date.parse('2026-11-01T00:00:00Z') });
  });

  it('extracts the TBSCertificate exactly as encoded: the issuer signature verifies over those bytes', () => {
    for (let i = 0; i < aws.chain.length; i++) {
      const cert = aws.chain[i]!;
      const issuer = aws.chain[i + 1] ?? cert;
      const parsed = AsnConvert.parse(cert.raw, Certificate);
      const tbs = tbsCertificateDer(cert.raw);
      const signature = Buffer.from(parsed.signatureValue);
      expect(verify('sha384', tbs, { key: issuer.publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
      const flipped = Buffer.from(tbs);
      flipped.writeUInt8(flipped.readUInt8(flipped.length - 1) ^ 1, flipped.length - 1);
      expect(verify('sha384', flipped, { key: issuer.publicKey, dsaEncoding: 'der' }, signature)).toBe(false);
    }
  });

  it('extracts the TBSCertificate of the AWS Signer root (482 of its 605 bytes, after the 4-byte header)', () => {
    const raw = new X509Certificate(AWS_SIGNER_ROOT.pem).raw;
    const tbs = tbsCertificateDer(raw);
    expect(tbs.length).toBe(482);
    expect(Buffer.from(tbs).equals(raw.subarray(4, 486))).toBe(true);
  });

  it('pairs each certificate with its issuer, leaf first, and doubles the last: h0h1, h1h2, h2h3, h3h3', () => {
    const h = aws.chain.map((cert) => sha384(tbsCertificateDer(cert.raw)));
    expect(revocationCertificateHashes(aws.chain)).toEqual([
      h[0]! + h[1]!,
      h[1]! + h[2]!,
      h[2]! + h[3]!,
      h[3]! + h[3]!,
    ]);
    for (const entry of revocationCertificateHashes(aws.chain)) expect(entry).toMatch(/^[0-9a-f]{192}$/);
  });

  it('doubles the only certificate of a one-certificate chain', () => {
    const [only] = revocationCertificateHashes([aws.root]);
    expect(only).toBe(sha384(tbsCertificateDer(aws.root.raw)).repeat(2));
  });

  it('refuses bytes that are not a certificate', () => {
    expect(() => tbsCertificateDer(new Uint8Array([1, 2, 3]))).toThrow();
    expect(() => tbsCertificateDer(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]))).toThrow(/not a DER certificate/);
  });
});
