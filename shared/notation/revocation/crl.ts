/**
 * One CRL (RFC 5280 section 5), downloaded and checked as notation-core-go does, stricter where noted:
 * - http: URLs only, 5 s, at most 32 MiB (notation-core-go's cap: the largest public CRLs are under 16 MiB);
 * - signed by the certificate's issuer (name and signature; SHA-2 only), whose keyUsage, when present, has
 *   cRLSign (section 6.3.3 (f));
 * - thisUpdate not in the future (5 min skew); nextUpdate present and not passed (stricter than notation, which
 *   accepts a CRL without nextUpdate: such a CRL could be replayed forever);
 * - delta CRLs (freshestCRL, deltaCRLIndicator) are not supported and make the answer unavailable, as in
 *   notation; issuingDistributionPoint is accepted because every distribution point is checked; any other
 *   critical CRL or entry extension (e.g. certificateIssuer of an indirect CRL) is refused.
 * The verified CRL is reduced to its revoked serial numbers, which is what the cache keeps.
 */
import type * as Pkijs from 'pkijs';
import type { PkiLibraries } from '../pki-libraries';
import { isAcceptedSignatureAlgorithm } from '../timestamp/hash-algorithms';
import type { ParsedCertificate } from '../timestamp/parsed-certificate';
import { KeyUsageFlags } from '../x509/extension-ids';
import type { CachedAnswer } from './answer-cache';
import type { RevocationFetcher } from './fetcher';
import { crlReasonName, REMOVE_FROM_CRL } from './revocation-reasons';

/** The spec's CRL timeout (trust-store-trust-policy.md, revocation: 5 s). */
export const CRL_TIMEOUT_MS = 5_000;
/** notation-core-go's cap (see above). */
export const MAX_CRL_BYTES = 32 * 1024 * 1024;
export const CRL_CLOCK_SKEW_MS = 5 * 60_000;
/** Longest a verified CRL is reused in process, whatever its nextUpdate (CAs publish daily, nextUpdate 1-7 days). */
export const MAX_CRL_CACHE_MS = 60 * 60_000;

const EXTENSIONS = {
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  freshestCrl: '2.5.29.46',
  reasonCode: '2.5.29.21',
} as const;

export interface RevokedEntry {
  readonly revokedAtMs: number;
  readonly reason?: string;
}

/** A verified CRL: serial (lower-case hex, no leading zeros) to its entry. */
export type VerifiedCrl = ReadonlyMap<string, RevokedEntry>;

export interface CrlQuery {
  readonly url: string;
  readonly issuer: ParsedCertificate;
  readonly nowMs: number;
  readonly signal: AbortSignal;
  readonly fetcher: RevocationFetcher;
  readonly libs: PkiLibraries;
}

export async function downloadCrl(query: CrlQuery): Promise<CachedAnswer<VerifiedCrl>> {
  if (new URL(query.url).protocol !== 'http:')
    throw new Error(`CRL distribution point ${query.url} is not an http: URL`);
  const der = await query.fetcher.fetch({
    url: query.url,
    accept: 'application/pkix-crl',
    timeoutMs: CRL_TIMEOUT_MS,
    maxBytes: MAX_CRL_BYTES,
    signal: query.signal,
  });
  return readCrl(der, query);
}

export async function readCrl(der: Uint8Array, query: CrlQuery): Promise<CachedAnswer<VerifiedCrl>> {
  const { asn1js, pkijs } = query.libs;
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || parsed.offset !== der.byteLength) throw new Error(`the CRL from ${query.url} is not DER`);
  let crl: Pkijs.CertificateRevocationList;
  try {
    crl = new pkijs.CertificateRevocationList({ schema: parsed.result });
  } catch (error) {
    throw new Error(`the CRL from ${query.url} does not match its schema`, { cause: error });
  }
  await checkCrlSignature(crl, query);

  for (const extension of crl.crlExtensions?.extensions ?? []) {
    if (extension.extnID === EXTENSIONS.freshestCrl || extension.extnID === EXTENSIONS.deltaCrlIndicator) {
      throw new Error(`the CRL from ${query.url} uses delta CRLs, which are not supported`);
    }
    if (extension.critical && extension.extnID !== EXTENSIONS.issuingDistributionPoint) {
      throw new Error(`the CRL from ${query.url} has an unsupported critical extension ${extension.extnID}`);
    }
  }
  const thisUpdateMs = crl.thisUpdate.value.getTime();
  const nextUpdateMs = crl.nextUpdate?.value.getTime();
  if (!(thisUpdateMs <= query.nowMs + CRL_CLOCK_SKEW_MS))
    throw new Error(`the CRL from ${query.url} is from the future`);
  if (nextUpdateMs === undefined) throw new Error(`the CRL from ${query.url} has no nextUpdate`);
  if (query.nowMs > nextUpdateMs) {
    throw new Error(`the CRL from ${query.url} expired at ${new Date(nextUpdateMs).toISOString()} (nextUpdate)`);
  }

  const revoked = new Map<string, RevokedEntry>();
  for (const entry of crl.revokedCertificates ?? []) {
    let reasonCode: number | undefined;
    for (const extension of entry.crlEntryExtensions?.extensions ?? []) {
      if (extension.extnID === EXTENSIONS.reasonCode) {
        const value = asn1js.fromBER(extension.extnValue.valueBlock.valueHexView).result;
        if (value instanceof asn1js.Enumerated) reasonCode = value.valueBlock.valueDec;
      } else if (extension.critical) {
        throw new Error(
          `the CRL from ${query.url} has an entry with unsupported critical extension ${extension.extnID}`,
        );
      }
    }
    // removeFromCRL belongs to delta CRLs; in a base CRL it un-lists the serial.
    if (reasonCode === REMOVE_FROM_CRL) continue;
    revoked.set(serialHex(entry.userCertificate.valueBlock.valueHexView), {
      revokedAtMs: entry.revocationDate.value.getTime(),
      reason: crlReasonName(reasonCode),
    });
  }
  return {
    value: revoked,
    validFromMs: thisUpdateMs - CRL_CLOCK_SKEW_MS,
    expiresAtMs: Math.min(nextUpdateMs, query.nowMs + MAX_CRL_CACHE_MS),
  };
}

async function checkCrlSignature(crl: Pkijs.CertificateRevocationList, query: CrlQuery): Promise<void> {
  const { issuer, libs } = query;
  if (!crl.issuer.isEqual(issuer.pki.subject)) throw new Error(`the CRL from ${query.url} was issued by another CA`);
  if (!isAcceptedSignatureAlgorithm(crl.signatureAlgorithm, libs)) {
    throw new Error(
      `the CRL from ${query.url} is signed with ${crl.signatureAlgorithm.algorithmId}, not a SHA-2 algorithm`,
    );
  }
  const keyUsage = issuer.walked.keyUsage;
  if (keyUsage && !(keyUsage.value & KeyUsageFlags.cRLSign))
    throw new Error(`the CRL issuer ${issuer.x509.subject} lacks cRLSign`);
  const verified = await libs.pkijs
    .getCrypto(true)
    .verifyWithPublicKey(crl.tbsView, crl.signatureValue, issuer.pki.subjectPublicKeyInfo, crl.signatureAlgorithm);
  if (!verified) throw new Error(`the CRL from ${query.url} has a signature that does not verify`);
}

/** One spelling of a serial number: lower-case hex without leading zero bytes. */
export function serialHex(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('hex')
    .replace(/^(00)+(?=.)/, '');
}
