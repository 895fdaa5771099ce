/**
 * Chain rules of the Notary Project (signature-specification.md, "Certificate Requirements"; notation-core-go
 * ValidateCodeSigningCertChain / ValidateTimestampingCertChain): the chain is ordered leaf -> root, each certificate
 * is issued by the next one (issuer name byte-equal to the next subject, signature verifying with the next key),
 * the last one is self-signed and no other is, and each certificate meets its profile. This is not RFC 5280 path
 * building: the trust anchor is matched by bytes afterwards (authenticity), not searched for.
 */
import { Buffer } from 'node:buffer';
import { type ParsedCertificate, subjectText } from './parse';
import { checkCa, checkCodeSigningLeaf, checkTimestampingLeaf } from './requirements';

/**
 * Most certificates an envelope's chain may hold. Real chains have 2-4 (AWS Signer: 4); each one costs a signature
 * verification, so a hostile envelope must not make us verify hundreds.
 */
export const MAX_CHAIN_LENGTH = 10;

export type ChainProfile = 'codeSigning' | 'timestamping';

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/**
 * Signatures found to verify, per certificate and issuer. A verification is a pure function of the two DERs and
 * parseCertificate hands out one object per DER, so a hit is exact; the same chains come with every signature and
 * timestamp, and each link is checked more than once per verification (path building, these rules).
 */
const verifiedIssuers = new WeakMap<ParsedCertificate, WeakSet<ParsedCertificate>>();

function signedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (verifiedIssuers.get(cert)?.has(issuer)) return true;
  let verified: boolean;
  try {
    verified = cert.x509.verify(issuer.x509.publicKey);
  } catch {
    verified = false;
  }
  if (verified) {
    const issuers = verifiedIssuers.get(cert) ?? new WeakSet<ParsedCertificate>();
    issuers.add(issuer);
    verifiedIssuers.set(cert, issuers);
  }
  return verified;
}

export function isSelfSigned(cert: ParsedCertificate): boolean {
  return sameBytes(cert.parts.issuer, cert.parts.subject) && signedBy(cert, cert);
}

/** Returns why the chain breaks the rules, or undefined when it meets them all. */
export function checkChain(chain: readonly ParsedCertificate[], profile: ChainProfile): string | undefined {
  if (chain.length === 0) return 'the certificate chain is empty';
  if (chain.length > MAX_CHAIN_LENGTH) {
    return `the certificate chain has ${chain.length} certificates (at most ${MAX_CHAIN_LENGTH} are accepted)`;
  }
  const checkLeaf = profile === 'codeSigning' ? checkCodeSigningLeaf : checkTimestampingLeaf;
  const caOptions = { keyUsageMayBeNonCritical: profile === 'timestamping' };
  const last = chain.length - 1;
  if (last === 0) {
    const only = chain[0]!;
    // A single certificate is a self-signed signing certificate: it must be self-signed and meet the leaf rules.
    if (!isSelfSigned(only)) return `the only certificate "${subjectText(only)}" is not self-signed`;
    return checkLeaf(only);
  }
  for (let i = 0; i < last; i++) {
    const cert = chain[i]!;
    const parent = chain[i + 1]!;
    if (isSelfSigned(cert)) {
      return `certificate "${subjectText(cert)}" at position ${i} is self-signed; only the last (root) may be`;
    }
    if (!sameBytes(cert.parts.issuer, parent.parts.subject) || !signedBy(cert, parent)) {
      return `certificate "${subjectText(cert)}" is not issued by the next certificate "${subjectText(parent)}" (the chain must be ordered leaf to root)`;
    }
    const reason = i === 0 ? checkLeaf(cert) : checkCa(cert, i - 1, caOptions);
    if (reason) return reason;
  }
  const root = chain[last]!;
  if (!isSelfSigned(root)) {
    return `the last certificate "${subjectText(root)}" is not a self-signed root; the chain must end with its root`;
  }
  return checkCa(root, last - 1, caOptions);
}
