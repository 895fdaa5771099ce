import { type KeyObject, X509Certificate } from 'node:crypto';
import { TrustError } from '../../errors';

/** The parts of an x509 certificate that notary's trust rules look at. */
export interface CertificateInfo {
  /** The subject's common name; undefined when absent or given more than once (ambiguous, never trusted). */
  readonly commonName: string | undefined;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  readonly publicKey: KeyObject;
  /**
   * Whether the bundle has the shape notary requires of root keys (trustpinning/certs.go parseAllCerts): exactly
   * one non-CA (leaf) certificate, and it comes first; any further certificates are intermediates.
   */
  readonly isLeafBundle: boolean;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Parses the certificate an `ecdsa-x509`/`rsa-x509` key carries: the first of its PEM blocks, as notary's verifiers
 * read it (tuf/signed/verifiers.go: pem.Decode then x509.ParseCertificate).
 */
export function parseKeyCertificate(pem: string): CertificateInfo {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  const certificates = blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch (cause) {
      throw new TrustError('NOTARY_ERROR', 'a key holds a certificate that cannot be parsed', { cause });
    }
  });
  const [first] = certificates;
  if (!first) throw new TrustError('NOTARY_ERROR', 'a certificate key holds no PEM certificate');
  return {
    commonName: commonNameOf(first.subject),
    notBeforeMs: Date.parse(first.validFrom),
    notAfterMs: Date.parse(first.validTo),
    publicKey: first.publicKey,
    isLeafBundle: !first.ca && certificates.filter((certificate) => !certificate.ca).length === 1,
  };
}

/**
 * Notary's certificate validity (tuf/utils/x509.go ValidateCertificate): not after `notAfter`, and not more than
 * one day before `notBefore` (leeway for clock skew at creation).
 */
export function certificateValidAt(certificate: CertificateInfo, nowMs: number): boolean {
  if (Number.isNaN(certificate.notBeforeMs) || Number.isNaN(certificate.notAfterMs)) return false;
  if (certificate.notBeforeMs > certificate.notAfterMs) return false;
  return nowMs + DAY_MS >= certificate.notBeforeMs && nowMs <= certificate.notAfterMs;
}

/**
 * For keys given as certificates: why the key cannot be used at the instant, or undefined when it can (bare keys
 * have no validity window). Used as the `accept` check of role keys.
 */
export function certificateRefusal(certificate: CertificateInfo | undefined, nowMs: number): string | undefined {
  if (!certificate || certificateValidAt(certificate, nowMs)) return undefined;
  // A certificate from the future is no expiry: it says "not yet valid" (a wrong clock, or one issued ahead).
  const state = certificateNotYetValid(certificate, nowMs) ? 'is not yet valid' : 'is not valid';
  return (
    `its certificate ${state} at ${new Date(nowMs).toISOString()} ` +
    `(valid from ${instant(certificate.notBeforeMs)} to ${instant(certificate.notAfterMs)})`
  );
}

/** Outside its window only because `notBefore` (less the day of leeway) is still ahead: not yet valid, not expired. */
export function certificateNotYetValid(certificate: CertificateInfo, nowMs: number): boolean {
  return (
    !certificateValidAt(certificate, nowMs) &&
    certificate.notBeforeMs <= certificate.notAfterMs &&
    nowMs + DAY_MS < certificate.notBeforeMs
  );
}

function instant(epochMs: number): string {
  return Number.isFinite(epochMs) ? new Date(epochMs).toISOString() : 'unknown';
}

/**
 * A root certificate must name the repository (trustpinning/certs.go MatchCNToGun): CN equal to the GUN, or a
 * wildcard CN `prefix*` whose prefix starts the GUN.
 */
export function commonNameMatchesGun(commonName: string | undefined, gun: string): boolean {
  if (commonName === undefined) return false;
  if (commonName.endsWith('*')) return gun.startsWith(commonName.replace(/\*+$/, ''));
  return commonName === gun;
}

/** Node prints the subject one attribute a line (`CN=docker.io/library/alpine`), escaping specials with `\`. */
function commonNameOf(subject: string): string | undefined {
  const names = subject
    .split('\n')
    .filter((line) => line.startsWith('CN='))
    .map((line) => line.slice(3).replace(/\\(.)/g, '$1'));
  return names.length === 1 ? names[0] : undefined;
}
