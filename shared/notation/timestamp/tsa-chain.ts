/**
 * The TSA's certificate chain: built from the signer certificate through the certificates the token carries to a
 * root of the `tsa` trust store, then held to the Notary Project's timestamping certificate requirements
 * (signature-specification.md, "Certificate Requirements"; notation-core-go ValidateTimestampingCertChain) as
 * x509/chain.ts checks every chain, with its `timestamping` profile (x509/requirements.ts): a leaf with exactly
 * id-kp-timeStamping, critical, and a signing-only keyUsage; CAs with basicConstraints and keyCertSign; SHA-2
 * signatures and RSA >= 2048 or P-256/384/521 keys throughout. Every certificate must also be valid at the
 * timestamp's genTime (tspclient-go verifies the TSA chain at genTime, not now: a TSA certificate may expire after
 * it stamped). A `tsa` store holds root CAs only (notation-go refuses other certificates there), so a chain has >= 2.
 */
import type { X509Certificate } from 'node:crypto';
import type { PkiLibraries } from '../pki-libraries';
import { checkChain } from '../x509/chain';
import type { ParsedCertificate as WalkedCertificate } from '../x509/parse';
import { TimestampError } from './errors';
import { type ParsedCertificate, parsedCertificateOf } from './parsed-certificate';

/**
 * Longest TSA chain followed (leaf, intermediates, root). Public TSAs use 2-4; the bound stops a token that
 * carries a long ladder of cross-signed certificates from costing a signature check per rung without end.
 */
export const MAX_TSA_CHAIN_LENGTH = 6;

/** Trust store roots already found to be self-signed CAs: the check is a signature verification, once per root. */
const checkedRoots = new WeakSet<X509Certificate>();

/** A `tsa` trust store certificate must be a self-signed CA (notation-go's truststore rule). */
export function assertTsaRootCertificate(certificate: X509Certificate): void {
  if (checkedRoots.has(certificate)) return;
  const selfSigned = certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey);
  if (!selfSigned || !certificate.ca) {
    throw new TimestampError(
      `tsa trust store certificate "${certificate.subject.replaceAll('\n', ', ')}" is not a root CA (a tsa store holds self-signed CA certificates only)`,
    );
  }
  checkedRoots.add(certificate);
}

/**
 * Builds and checks the chain from `signer` to a trusted root; returns it leaf first, root last.
 * `genTimeMs` is the instant every certificate must be valid at.
 */
export function buildTsaChain(
  signer: ParsedCertificate,
  tokenCertificates: readonly ParsedCertificate[],
  roots: readonly X509Certificate[],
  genTimeMs: number,
  libs: PkiLibraries,
): ParsedCertificate[] {
  for (const root of roots) assertTsaRootCertificate(root);
  const rootCandidates = roots.map((root) => parsedCertificateOf(root, libs));
  const chain: ParsedCertificate[] = [signer];
  let current = signer;
  while (!rootCandidates.some((root) => sameDer(root.der, current.der))) {
    if (chain.length >= MAX_TSA_CHAIN_LENGTH) {
      throw new TimestampError(`the TSA chain is longer than ${MAX_TSA_CHAIN_LENGTH} certificates`);
    }
    const issuer = [...rootCandidates, ...tokenCertificates].find(
      (candidate) =>
        !chain.includes(candidate) &&
        current.x509.checkIssued(candidate.x509) &&
        current.x509.verify(candidate.x509.publicKey),
    );
    if (!issuer) {
      throw new TimestampError(
        `the TSA certificate "${subjectOf(signer)}" does not chain to a certificate of the tsa trust store`,
      );
    }
    chain.push(issuer);
    current = issuer;
  }
  if (chain.length < 2) throw new TimestampError('the TSA signing certificate is itself a trust store root');
  const walked = chain.map(walkedForm);
  const broken = checkChain(walked, 'timestamping');
  if (broken) throw new TimestampError(`the TSA chain breaks the timestamping certificate requirements: ${broken}`);
  for (const certificate of walked) {
    if (!(genTimeMs >= certificate.notBeforeMs && genTimeMs <= certificate.notAfterMs)) {
      throw new TimestampError(
        `TSA certificate "${subjectOf(certificate)}" is not valid at the timestamp's time ${new Date(genTimeMs).toISOString()}`,
      );
    }
  }
  return chain;
}

function walkedForm(certificate: ParsedCertificate): WalkedCertificate {
  try {
    return certificate.walked;
  } catch (error) {
    throw new TimestampError(`TSA certificate "${subjectOf(certificate)}" is unusable: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function sameDer(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

export function subjectOf(certificate: { readonly x509: X509Certificate }): string {
  return certificate.x509.subject.replaceAll('\n', ', ');
}
