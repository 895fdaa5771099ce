/**
 * Revocation of a Notation certificate chain (trust-store-trust-policy.md, "Revocation checking"; notation-core-go
 * revocation.ValidateContext with OCSP-then-CRL fallback), the RevocationChecker of ../types.ts:
 * - every certificate but the root (self-signed, nothing above it to ask) is checked against its issuer, the
 *   next certificate of the chain; all of them concurrently, the verdict read root to leaf;
 * - a certificate with neither OCSP nor CRL locations is not revocable: ok;
 * - OCSP first: responders in order until one answers; good -> ok, revoked -> revoked; unknown, or no responder
 *   answering usably, falls back to the CRL when the certificate has one, else unavailable;
 * - CRL: every distribution point is fetched and checked (they may be partitions); listed -> revoked; any that
 *   cannot be fetched or verified -> unavailable;
 * - any revoked certificate makes the chain revoked; else any unavailable one makes it unavailable.
 * Answers are cached in process (OCSP by CertID, CRLs by URL and issuer) until their nextUpdate, bounded.
 * This never rejects: every failure is a status with a reason (the policy's level decides what it costs).
 */
import type { X509Certificate } from 'node:crypto';
import { loadPkiLibraries, type PkiLibraries } from '../pki-libraries';
import { type ParsedCertificate, parsedCertificateOf } from '../timestamp/parsed-certificate';
import type { RevocationChecker, RevocationContext, RevocationStatus } from '../types';
import { AnswerCache } from './answer-cache';
import { downloadCrl, serialHex, type VerifiedCrl } from './crl';
import { NodeRevocationFetcher, type RevocationFetcher } from './fetcher';
import { type OcspAnswer, ocspCertId, queryOcsp } from './ocsp';
import { revocationLocations } from './revocation-locations';

/** OCSP responders tried per certificate (certificates name one; a second is a fallback mirror). */
export const MAX_OCSP_URLS_PER_CERTIFICATE = 2;
/** CRL distribution points per certificate; more is refused (unavailable) rather than half-checked. */
export const MAX_CRL_URLS_PER_CERTIFICATE = 4;
/** Certificates checked per chain: the envelope chain is bounded upstream; this guards direct callers. */
export const MAX_CHAIN_CERTIFICATES = 10;
/** OCSP answers kept (one per certificate: a few hundred bytes each). */
export const DEFAULT_MAX_OCSP_ENTRIES = 1024;
/** CRLs kept (each can hold many thousand serials, so few). */
export const DEFAULT_MAX_CRL_ENTRIES = 16;

const OK: RevocationStatus = { status: 'ok' };

export interface OcspCrlRevocationCheckerOptions {
  readonly fetcher?: RevocationFetcher;
  readonly maxOcspEntries?: number;
  readonly maxCrlEntries?: number;
}

type CertificateStatus = RevocationStatus;

export class OcspCrlRevocationChecker implements RevocationChecker {
  readonly #fetcher: RevocationFetcher;
  readonly #ocspAnswers: AnswerCache<OcspAnswer>;
  readonly #crls: AnswerCache<VerifiedCrl>;

  constructor(options: OcspCrlRevocationCheckerOptions = {}) {
    this.#fetcher = options.fetcher ?? new NodeRevocationFetcher();
    this.#ocspAnswers = new AnswerCache(options.maxOcspEntries ?? DEFAULT_MAX_OCSP_ENTRIES);
    this.#crls = new AnswerCache(options.maxCrlEntries ?? DEFAULT_MAX_CRL_ENTRIES);
  }

  async check(chain: readonly X509Certificate[], ctx: RevocationContext): Promise<RevocationStatus> {
    if (chain.length > MAX_CHAIN_CERTIFICATES) {
      return { status: 'unavailable', reason: `the chain has more than ${MAX_CHAIN_CERTIFICATES} certificates` };
    }
    if (chain.length < 2) return OK;
    const libs = await loadPkiLibraries();
    let parsed: ParsedCertificate[];
    try {
      parsed = chain.map((certificate) => parsedCertificateOf(certificate, libs));
      // pkijs reads each one now (its form is built on first use), so that an unreadable one is reported here.
      for (const certificate of parsed) void certificate.pki;
    } catch (error) {
      return { status: 'unavailable', reason: `a chain certificate cannot be read: ${(error as Error).message}` };
    }
    const statuses = await Promise.all(
      parsed
        .slice(0, -1)
        .map((certificate, index) => this.#checkCertificate(certificate, parsed[index + 1]!, ctx, libs)),
    );
    const rootToLeaf = statuses.reverse();
    return (
      rootToLeaf.find((status) => status.status === 'revoked') ??
      rootToLeaf.find((status) => status.status === 'unavailable') ??
      OK
    );
  }

  async #checkCertificate(
    cert: ParsedCertificate,
    issuer: ParsedCertificate,
    ctx: RevocationContext,
    libs: PkiLibraries,
  ): Promise<CertificateStatus> {
    const name = `"${cert.x509.subject.replaceAll('\n', ', ')}" (serial ${cert.x509.serialNumber.toLowerCase()})`;
    let locations: ReturnType<typeof revocationLocations>;
    try {
      locations = revocationLocations(cert.pki, libs);
    } catch (error) {
      return {
        status: 'unavailable',
        reason: `the revocation locations of ${name} cannot be read: ${(error as Error).message}`,
      };
    }
    const { ocspUrls, crlUrls } = locations;
    if (ocspUrls.length === 0 && crlUrls.length === 0) return OK;

    let ocspFailure: string | undefined;
    if (ocspUrls.length > 0) {
      const answer = await this.#ocsp(cert, issuer, ocspUrls, ctx, libs);
      if ('failure' in answer) {
        ocspFailure = answer.failure;
      } else if (answer.status === 'good') {
        return OK;
      } else if (answer.status === 'revoked') {
        return { status: 'revoked', reason: `${name} is revoked${details(answer)} (OCSP ${answer.url})` };
      } else {
        ocspFailure = `the responder ${answer.url} does not know the certificate (status unknown)`;
      }
    }
    if (crlUrls.length === 0) {
      return { status: 'unavailable', reason: `the revocation status of ${name} is unavailable: OCSP: ${ocspFailure}` };
    }
    const crl = await this.#crl(cert, issuer, crlUrls, ctx, libs);
    if (crl.status === 'revoked') return { status: 'revoked', reason: `${name} is revoked${crl.details} (${crl.url})` };
    if (crl.status === 'unavailable') {
      const before = ocspFailure ? `OCSP: ${ocspFailure}; ` : '';
      return {
        status: 'unavailable',
        reason: `the revocation status of ${name} is unavailable: ${before}CRL: ${crl.reason}`,
      };
    }
    return OK;
  }

  async #ocsp(
    cert: ParsedCertificate,
    issuer: ParsedCertificate,
    urls: readonly string[],
    ctx: RevocationContext,
    libs: PkiLibraries,
  ): Promise<(OcspAnswer & { url: string }) | { failure: string }> {
    const { certId, key } = await ocspCertId(cert, issuer, libs);
    const failures: string[] = [];
    for (const url of urls.slice(0, MAX_OCSP_URLS_PER_CERTIFICATE)) {
      try {
        const answer = await this.#ocspAnswers.get(
          key,
          ctx.nowMs,
          (signal) => queryOcsp({ cert, issuer, certId, url, nowMs: ctx.nowMs, signal, fetcher: this.#fetcher, libs }),
          ctx.signal,
        );
        return { ...answer, url };
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    return { failure: failures.join('; ') };
  }

  async #crl(
    cert: ParsedCertificate,
    issuer: ParsedCertificate,
    urls: readonly string[],
    ctx: RevocationContext,
    libs: PkiLibraries,
  ): Promise<
    { status: 'ok' } | { status: 'revoked'; url: string; details: string } | { status: 'unavailable'; reason: string }
  > {
    if (urls.length > MAX_CRL_URLS_PER_CERTIFICATE) {
      return {
        status: 'unavailable',
        reason: `it names ${urls.length} CRL distribution points, more than ${MAX_CRL_URLS_PER_CERTIFICATE}`,
      };
    }
    const serial = serialHex(cert.pki.serialNumber.valueBlock.valueHexView);
    const checked = await Promise.all(
      urls.map(async (url) => {
        try {
          const crl = await this.#crls.get(
            `${url}\n${issuer.x509.fingerprint256}`,
            ctx.nowMs,
            (signal) => downloadCrl({ url, issuer, nowMs: ctx.nowMs, signal, fetcher: this.#fetcher, libs }),
            ctx.signal,
          );
          return { url, entry: crl.get(serial) };
        } catch (error) {
          return { url, failure: (error as Error).message };
        }
      }),
    );
    const revoked = checked.find((result) => result.entry);
    if (revoked?.entry) return { status: 'revoked', url: revoked.url, details: details(revoked.entry) };
    const failed = checked.filter((result) => 'failure' in result);
    if (failed.length > 0) return { status: 'unavailable', reason: failed.map((result) => result.failure).join('; ') };
    return { status: 'ok' };
  }
}

function details(revoked: { revokedAtMs?: number; reason?: string }): string {
  const parts = [
    revoked.reason,
    revoked.revokedAtMs === undefined ? undefined : `since ${new Date(revoked.revokedAtMs).toISOString()}`,
  ].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
