import 'reflect-metadata';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import {
  AWS_SIGNER_ROOT,
  AWS_SIGNER_ROOTS,
  AWS_US_GOV_SIGNER_ROOT,
} from '../../../../shared/notation/aws-signer/roots';
import {
  BUILT_IN_TRUST_STORES,
  builtInTrustStoreCertificates,
  builtInTrustStores,
  reservedTrustStoreProblem,
} from '../../../../shared/notation/aws-signer/trust-stores';

const ROOTS_DIR = join(__dirname, '../../../../shared/notation/aws-signer/roots');

function derSha256(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

describe('AWS Signer built-in trust stores', () => {
  it('carries the commercial root whose DER SHA-256 is the thumbprint real AWS Signer signatures show', () => {
    expect(derSha256(AWS_SIGNER_ROOT.pem)).toBe('90a87d0543c3f094dbff9589b6649affe2f3d6e0f308799be2258461c686473f');
    expect(AWS_SIGNER_ROOT.sha256).toBe('90a87d0543c3f094dbff9589b6649affe2f3d6e0f308799be2258461c686473f');
  });

  it('records the GovCloud root fingerprint it carries', () => {
    expect(derSha256(AWS_US_GOV_SIGNER_ROOT.pem)).toBe(AWS_US_GOV_SIGNER_ROOT.sha256);
  });

  it.each(AWS_SIGNER_ROOTS.map((root) => [root.storeName, root] as const))(
    '%s: the vendored PEM file is the embedded certificate',
    (_name, root) => {
      const file = readFileSync(join(ROOTS_DIR, `${root.storeName.replace(/-ts$/, '')}-notation-root.pem`), 'utf8');
      expect(new X509Certificate(file).raw.equals(new X509Certificate(root.pem).raw)).toBe(true);
    },
  );

  it.each(AWS_SIGNER_ROOTS.map((root) => [root.storeName, root] as const))(
    '%s: a self-signed P-384 CA with critical basicConstraints and keyCertSign, as Notation requires of a root',
    (_name, root) => {
      const cert = new X509Certificate(root.pem);
      expect(cert.ca).toBe(true);
      expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
      expect(cert.checkIssued(cert)).toBe(true);
      expect(cert.verify(cert.publicKey)).toBe(true);
      const parsed = new x509.X509Certificate(root.pem);
      const bc = parsed.getExtension(x509.BasicConstraintsExtension);
      const ku = parsed.getExtension(x509.KeyUsagesExtension);
      expect(bc?.critical).toBe(true);
      expect(ku?.critical).toBe(true);
      expect((ku!.usages & x509.KeyUsageFlags.keyCertSign) !== 0).toBe(true);
      expect(new Date(cert.validTo).getUTCFullYear()).toBeGreaterThanOrEqual(2122);
      // The subject recorded beside the PEM is the certificate's (node prints RDNs one a line, last first).
      expect(cert.subject.split('\n').reverse().join(',')).toBe(root.subject);
    },
  );

  it('answers signingAuthority:aws-signer-ts and aws-us-gov-signer-ts with their one root each', () => {
    const commercial = builtInTrustStoreCertificates('signingAuthority', 'aws-signer-ts');
    const gov = builtInTrustStores.get('signingAuthority', 'aws-us-gov-signer-ts');
    expect(commercial?.map((c) => c.fingerprint256)).toEqual([new X509Certificate(AWS_SIGNER_ROOT.pem).fingerprint256]);
    expect(gov?.map((c) => c.fingerprint256)).toEqual([new X509Certificate(AWS_US_GOV_SIGNER_ROOT.pem).fingerprint256]);
    // Parsed once: the same frozen array every time.
    expect(builtInTrustStoreCertificates('signingAuthority', 'aws-signer-ts')).toBe(commercial);
    expect(Object.isFrozen(commercial)).toBe(true);
    expect(BUILT_IN_TRUST_STORES.map((s) => [s.name, s.partition])).toEqual([
      ['aws-signer-ts', 'aws'],
      ['aws-us-gov-signer-ts', 'aws-us-gov'],
    ]);
  });

  it('knows no other names: other types, other names and other cases are not built in', () => {
    expect(builtInTrustStoreCertificates('ca', 'aws-signer-ts')).toBeUndefined();
    expect(builtInTrustStoreCertificates('tsa', 'aws-signer-ts')).toBeUndefined();
    expect(builtInTrustStoreCertificates('signingAuthority', 'AWS-SIGNER-TS')).toBeUndefined();
    expect(builtInTrustStoreCertificates('signingAuthority', 'aws-signer')).toBeUndefined();
  });

  it('reserves the built-in names against trust-store folders that would shadow them', () => {
    expect(reservedTrustStoreProblem('signingAuthority', 'aws-signer-ts')).toMatch(/built in/);
    expect(reservedTrustStoreProblem('signingAuthority', 'aws-us-gov-signer-ts')).toMatch(/built in/);
    expect(reservedTrustStoreProblem('ca', 'aws-signer-ts')).toBeUndefined();
    expect(reservedTrustStoreProblem('signingAuthority', 'acme')).toBeUndefined();
  });
});
