/**
 * A certificate of a TSA chain or of a revocation check, in the shapes the checks need, all from the same DER:
 * node's X509Certificate (issuance, signatures), the DER walker's parse (x509/parse.ts: extensions, key and
 * validity, held to x509/requirements.ts) and pkijs' (CMS, OCSP and CRL verification work on its objects).
 * The walker's and pkijs' forms are built on first use. Each is kept per DER: pkijs parsing costs about 1 ms of CPU
 * per certificate, and the same TSA and CA certificates come with every token and every chain.
 */

import { createHash, X509Certificate } from 'node:crypto';
import type * as Pkijs from 'pkijs';
import { BoundedMap } from '../../cache/bounded-map';
import type { PkiLibraries } from '../pki-libraries';
import { parseCertificate, type ParsedCertificate as WalkedCertificate } from '../x509/parse';

export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly x509: X509Certificate;
  /** The DER walker's parse; throws CertificateParseError when an extension is malformed or repeated. */
  readonly walked: WalkedCertificate;
  /** pkijs' parse; throws when pkijs cannot read the certificate. */
  readonly pki: Pkijs.Certificate;
}

/**
 * Certificates kept by DER (SHA-256): as x509/parse.ts's cache, 256 hold the TSA and CA chains of far more signers
 * than one cluster trusts; the oldest entry goes first. A hit is exact, since every form is a function of the bytes.
 */
export const PARSED_TSA_CERTIFICATE_CACHE_ENTRIES = 256;
const byDigest = new BoundedMap<string, ParsedCertificate>(PARSED_TSA_CERTIFICATE_CACHE_ENTRIES);
/** The forms of a certificate the caller already holds (trust store roots, the envelope chain), per object. */
const byCertificate = new WeakMap<X509Certificate, ParsedCertificate>();

class LazyCertificate implements ParsedCertificate {
  #walked: WalkedCertificate | undefined;
  #pki: Pkijs.Certificate | undefined;

  constructor(
    readonly der: Uint8Array,
    readonly x509: X509Certificate,
    private readonly libs: PkiLibraries,
  ) {}

  get walked(): WalkedCertificate {
    this.#walked ??= parseCertificate(this.der);
    return this.#walked;
  }

  get pki(): Pkijs.Certificate {
    this.#pki ??= this.libs.pkijs.Certificate.fromBER(this.der);
    return this.#pki;
  }
}

/** The forms of `der`; throws when node cannot parse it as an X.509 certificate. */
export function parsedCertificateFromDer(der: Uint8Array, libs: PkiLibraries): ParsedCertificate {
  const digest = createHash('sha256').update(der).digest('hex');
  const cached = byDigest.get(digest);
  if (cached) return cached;
  const parsed = new LazyCertificate(der, new X509Certificate(der), libs);
  byDigest.set(digest, parsed);
  return parsed;
}

/** The forms of a certificate object the caller holds, keeping that object as `x509`. */
export function parsedCertificateOf(certificate: X509Certificate, libs: PkiLibraries): ParsedCertificate {
  let parsed = byCertificate.get(certificate);
  if (!parsed) {
    parsed = new LazyCertificate(new Uint8Array(certificate.raw), certificate, libs);
    byCertificate.set(certificate, parsed);
  }
  return parsed;
}
