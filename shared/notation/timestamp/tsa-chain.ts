/**
 * The TSA's certificate chain: built from the signer certificate through the certificates the token carries to a
 * root of the `tsa` trust store, then held to the Notary Project's timestamping certificate requirements
 * (signature-specification.md, "Certificate Requirements"; notation-core-go ValidateTimestampingCertChain):
 * - leaf: extendedKeyUsage present, critical, and exactly id-kp-timeStamping (RFC 3161 section 2.3); keyUsage
 *   present with digitalSignature and no CA or encryption bits; not a CA;
 * - CAs: basicConstraints cA=true with pathLenConstraint honoured, keyUsage present with keyCertSign;
 * - every certificate: SHA-2 signature, RSA >= 2048 or P-256/384/521 key, valid at the timestamp's genTime
 *   (tspclient-go verifies the TSA chain at genTime, not now: a TSA certificate may expire after it stamped).
 * A `tsa` store holds root CAs only (notation-go refuses other certificates there), so a chain has >= 2 certs.
 */
import type { X509Certificate } from 'node:crypto';
import type * as Pkijs from 'pkijs';
import type { PkiLibraries } from '../pki-libraries';
import { readCertificateExtensions } from './certificate-extensions';
import { TimestampError } from './errors';
import { isAcceptedSignatureAlgorithm } from './hash-algorithms';

/**
 * Longest TSA chain followed (leaf, intermediates, root). Public TSAs use 2-4; the bound stops a token that
 * carries a long ladder of cross-signed certificates from costing a signature check per rung without end.
 */
export const MAX_TSA_CHAIN_LENGTH = 6;

const ID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const LEAF_FORBIDDEN_KEY_USAGES = [
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
const ACCEPTED_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/** A certificate in the three shapes the checks need, all from the same DER. */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly x509: X509Certificate;
  readonly pki: Pkijs.Certificate;
}

/**
 * The parsed form of a certificate the caller already holds (trust store roots, the envelope chain): parsed once
 * per X509Certificate object, since pkijs parsing costs about 1.7 ms of CPU per certificate.
 */
const parsedByCertificate = new WeakMap<X509Certificate, ParsedCertificate>();

export function parsedCertificateOf(certificate: X509Certificate, libs: PkiLibraries): ParsedCertificate {
  let parsed = parsedByCertificate.get(certificate);
  if (!parsed) {
    const der = new Uint8Array(certificate.raw);
    parsed = { der, x509: certificate, pki: libs.pkijs.Certificate.fromBER(der) };
    parsedByCertificate.set(certificate, parsed);
  }
  return parsed;
}

/** A `tsa` trust store certificate must be a self-signed CA (notation-go's truststore rule). */
export function assertTsaRootCertificate(certificate: X509Certificate): void {
  const selfSigned = certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey);
  if (!selfSigned || !certificate.ca) {
    throw new TimestampError(
      `tsa trust store certificate "${certificate.subject.replaceAll('\n', ', ')}" is not a root CA (a tsa store holds self-signed CA certificates only)`,
    );
  }
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
  chain.forEach((certificate, index) => {
    checkCertificate(certificate, index, genTimeMs, libs);
  });
  return chain;
}

function checkCertificate(certificate: ParsedCertificate, index: number, genTimeMs: number, libs: PkiLibraries): void {
  const subject = subjectOf(certificate);
  const fail = (why: string): never => {
    throw new TimestampError(`TSA certificate "${subject}" ${why}`);
  };
  if (!isAcceptedSignatureAlgorithm(certificate.pki.signatureAlgorithm, libs)) {
    fail(
      `is signed with an algorithm that is not SHA-2 RSA or ECDSA (${certificate.pki.signatureAlgorithm.algorithmId})`,
    );
  }
  checkKey(certificate.x509, fail);
  const notBefore = Date.parse(certificate.x509.validFrom);
  const notAfter = Date.parse(certificate.x509.validTo);
  if (!(genTimeMs >= notBefore && genTimeMs <= notAfter)) {
    fail(`is not valid at the timestamp's time ${new Date(genTimeMs).toISOString()}`);
  }
  let extensions: ReturnType<typeof readCertificateExtensions> = {};
  try {
    extensions = readCertificateExtensions(certificate.pki, libs);
  } catch (error) {
    fail(`has an unusable extension: ${(error as Error).message}`);
  }
  const { basicConstraints, keyUsage, extKeyUsage } = extensions;
  if (index === 0) {
    if (basicConstraints?.ca) fail('is a CA; a TSA signing certificate must not be');
    if (!keyUsage) fail('has no keyUsage extension');
    if (!keyUsage?.usages.has('digitalSignature')) fail('lacks the digitalSignature key usage');
    const forbidden = LEAF_FORBIDDEN_KEY_USAGES.filter((usage) => keyUsage?.usages.has(usage));
    if (forbidden.length > 0) fail(`has key usages a TSA signing certificate must not have: ${forbidden.join(', ')}`);
    if (!extKeyUsage) fail('has no extendedKeyUsage extension; it must have exactly id-kp-timeStamping');
    if (extKeyUsage?.purposes.length !== 1 || extKeyUsage.purposes[0] !== ID_KP_TIME_STAMPING) {
      fail(`must have id-kp-timeStamping as its only extended key usage (has ${extKeyUsage?.purposes.join(', ')})`);
    }
    if (!extKeyUsage?.critical) fail('must mark its extendedKeyUsage extension critical (RFC 3161 section 2.3)');
    return;
  }
  if (!basicConstraints?.ca) fail('issues the certificate below it but is not a CA (basicConstraints cA)');
  const intermediatesBelow = index - 1;
  if (basicConstraints?.pathLength !== undefined && basicConstraints.pathLength < intermediatesBelow) {
    fail(`allows ${basicConstraints.pathLength} CA certificates below it but the chain has ${intermediatesBelow}`);
  }
  if (!keyUsage?.usages.has('keyCertSign')) fail('lacks the keyCertSign key usage');
}

function checkKey(certificate: X509Certificate, fail: (why: string) => never): void {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    if ((details.modulusLength ?? 0) < 2048) fail(`has an RSA key shorter than 2048 bits (${details.modulusLength})`);
    return;
  }
  if (key.asymmetricKeyType === 'ec') {
    if (!ACCEPTED_CURVES.has(details.namedCurve ?? ''))
      fail(`has an EC key on an unaccepted curve (${details.namedCurve})`);
    return;
  }
  fail(`has a ${key.asymmetricKeyType} key; TSA keys must be RSA or ECDSA`);
}

function sameDer(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

export function subjectOf(certificate: ParsedCertificate): string {
  return certificate.x509.subject.replaceAll('\n', ', ');
}
