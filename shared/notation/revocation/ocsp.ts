/**
 * One OCSP exchange (RFC 6960), checked the way notation-core-go (over Go's x/crypto/ocsp) does, and a bit
 * stricter where that is free:
 * - the CertID uses SHA-1, as notation-core-go does: several large public CAs' responders (Microsoft, Entrust,
 *   Let's Encrypt, at times DigiCert) do not answer SHA-256 CertIDs. It is an identifier, not a signature;
 * - GET (RFC 6960 appendix A.1, RFC 5019): one request with a SHA-1 CertID and a serial of at most 20 bytes
 *   (RFC 5280) encodes to about 110 characters, under the 255 that notation-core-go switches to POST at; no nonce
 *   (responders behind CDNs ignore it, and the freshness check below does not need it);
 * - the response is signed by the issuer itself, or by a delegated responder certificate the issuer signed with
 *   id-kp-OCSPSigning that is valid now (section 4.2.2.2); SHA-2 signatures only;
 * - the SingleResponse for our CertID: thisUpdate not in the future (5 min skew), nextUpdate present and not
 *   passed (notation treats an answer without nextUpdate as expired); unknown critical extensions refused.
 * Anything that goes wrong throws: the caller turns it into "unavailable" (or falls back to the CRL).
 */
import { createHash } from 'node:crypto';
import type * as Pkijs from 'pkijs';
import type { PkiLibraries } from '../pki-libraries';
import { isAcceptedSignatureAlgorithm } from '../timestamp/hash-algorithms';
import { type ParsedCertificate, parsedCertificateFromDer } from '../timestamp/parsed-certificate';
import type { CachedAnswer } from './answer-cache';
import type { RevocationFetcher } from './fetcher';
import { crlReasonName } from './revocation-reasons';

/** The spec's OCSP timeout (trust-store-trust-policy.md, revocation: 2 s). */
export const OCSP_TIMEOUT_MS = 2_000;
/** notation-core-go's cap (typical responses are ~4 KiB; IBM's guidance caps at 20 KiB). */
export const MAX_OCSP_RESPONSE_BYTES = 20 * 1024;
/** Clock skew allowed on thisUpdate (a responder's clock slightly ahead of ours). */
export const OCSP_CLOCK_SKEW_MS = 5 * 60_000;
/** Longest a good or revoked answer is reused in process, whatever its nextUpdate (responders say 1-7 days). */
export const MAX_OCSP_CACHE_MS = 60 * 60_000;

const ID_PKIX_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const ID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const RESPONSE_STATUS = [
  'successful',
  'malformedRequest',
  'internalError',
  'tryLater',
  '(4)',
  'sigRequired',
  'unauthorized',
];

export type OcspAnswer =
  | { readonly status: 'good' }
  | { readonly status: 'revoked'; readonly revokedAtMs?: number; readonly reason?: string }
  | { readonly status: 'unknown' };

export interface OcspQuery {
  readonly cert: ParsedCertificate;
  readonly issuer: ParsedCertificate;
  readonly certId: Pkijs.CertID;
  readonly url: string;
  readonly nowMs: number;
  readonly signal: AbortSignal;
  readonly fetcher: RevocationFetcher;
  readonly libs: PkiLibraries;
}

/** The CertID of `cert` under `issuer` (SHA-1, see above) and a cache key for it. */
export async function ocspCertId(
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
  { pkijs }: PkiLibraries,
): Promise<{ certId: Pkijs.CertID; key: string }> {
  const certId = new pkijs.CertID();
  await certId.createForCertificate(cert.pki, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer.pki });
  return { certId, key: Buffer.from(certId.toSchema().toBER()).toString('hex') };
}

export async function queryOcsp(query: OcspQuery): Promise<CachedAnswer<OcspAnswer>> {
  const { libs, url } = query;
  const { pkijs } = libs;
  if (new URL(url).protocol !== 'http:') throw new Error(`OCSP responder ${url} is not an http: URL`);
  const request = new pkijs.OCSPRequest({
    tbsRequest: new pkijs.TBSRequest({ requestList: [new pkijs.Request({ reqCert: query.certId })] }),
  });
  const requestDer = new Uint8Array(request.toSchema(true).toBER());
  const encoded = encodeURIComponent(Buffer.from(requestDer).toString('base64'));
  const body = await query.fetcher.fetch({
    url: `${url.endsWith('/') ? url : `${url}/`}${encoded}`,
    accept: 'application/ocsp-response',
    timeoutMs: OCSP_TIMEOUT_MS,
    maxBytes: MAX_OCSP_RESPONSE_BYTES,
    signal: query.signal,
  });
  return readOcspResponse(body, query);
}

/** Parses and verifies a DER OCSPResponse for the query's CertID. */
export async function readOcspResponse(der: Uint8Array, query: OcspQuery): Promise<CachedAnswer<OcspAnswer>> {
  const { asn1js, pkijs } = query.libs;
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || parsed.offset !== der.byteLength) throw new Error('the OCSP response is not DER');
  const response = new pkijs.OCSPResponse({ schema: parsed.result });
  const status = response.responseStatus.valueBlock.valueDec;
  if (status !== 0) throw new Error(`the OCSP responder answered ${RESPONSE_STATUS[status] ?? status}`);
  if (response.responseBytes?.responseType !== ID_PKIX_OCSP_BASIC)
    throw new Error('the OCSP response is not a basic response');
  const basicAsn1 = asn1js.fromBER(response.responseBytes.response.valueBlock.valueHexView);
  if (basicAsn1.offset === -1) throw new Error('the basic OCSP response is not DER');
  const basic = new pkijs.BasicOCSPResponse({ schema: basicAsn1.result });

  await checkResponseSignature(basic, query);
  rejectCriticalExtensions(basic.tbsResponseData.responseExtensions, 'response');

  const single = basic.tbsResponseData.responses.find((candidate) => candidate.certID.isEqual(query.certId));
  if (!single) throw new Error('the OCSP response has no answer for the certificate asked about');
  rejectCriticalExtensions(single.singleExtensions, 'single response');
  const thisUpdateMs = single.thisUpdate.getTime();
  const nextUpdateMs = single.nextUpdate?.getTime();
  if (!(thisUpdateMs <= query.nowMs + OCSP_CLOCK_SKEW_MS)) {
    throw new Error(`the OCSP answer's thisUpdate ${single.thisUpdate.toISOString()} is in the future`);
  }
  if (nextUpdateMs === undefined) throw new Error('the OCSP answer has no nextUpdate, so its freshness is unknown');
  if (query.nowMs > nextUpdateMs) throw new Error(`the OCSP answer expired at ${single.nextUpdate?.toISOString()}`);

  return {
    value: certStatusOf(single, query.libs),
    validFromMs: thisUpdateMs - OCSP_CLOCK_SKEW_MS,
    expiresAtMs: Math.min(nextUpdateMs, query.nowMs + MAX_OCSP_CACHE_MS),
  };
}

async function checkResponseSignature(basic: Pkijs.BasicOCSPResponse, query: OcspQuery): Promise<void> {
  const { libs } = query;
  if (!isAcceptedSignatureAlgorithm(basic.signatureAlgorithm, libs)) {
    throw new Error(`the OCSP response is signed with ${basic.signatureAlgorithm.algorithmId}, not a SHA-2 algorithm`);
  }
  const responderId = basic.tbsResponseData.responderID;
  const named = (certificate: Pkijs.Certificate) =>
    responderId instanceof libs.pkijs.RelativeDistinguishedNames
      ? certificate.subject.isEqual(responderId)
      : responderId instanceof libs.asn1js.OctetString &&
        createHash('sha1')
          .update(certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)
          .digest()
          .equals(Buffer.from(responderId.valueBlock.valueHexView));
  let signer: Pkijs.Certificate | undefined;
  if (named(query.issuer.pki)) {
    signer = query.issuer.pki;
  } else {
    const delegated = (basic.certs ?? []).find(named);
    if (!delegated) throw new Error('the OCSP response is signed by neither the issuer nor a certificate it carries');
    checkDelegatedResponder(delegated, query);
    signer = delegated;
  }
  const verified = await libs.pkijs
    .getCrypto(true)
    .verifyWithPublicKey(
      basic.tbsResponseData.tbsView,
      basic.signature,
      signer.subjectPublicKeyInfo,
      basic.signatureAlgorithm,
    );
  if (!verified) throw new Error('the OCSP response signature does not verify');
}

/** RFC 6960 section 4.2.2.2: issued by the CA itself, for id-kp-OCSPSigning, valid now. */
function checkDelegatedResponder(responder: Pkijs.Certificate, query: OcspQuery): void {
  const { x509: node, walked } = parsedCertificateFromDer(new Uint8Array(responder.toSchema().toBER()), query.libs);
  if (!node.checkIssued(query.issuer.x509) || !node.verify(query.issuer.x509.publicKey)) {
    throw new Error('the OCSP responder certificate was not issued by the certificate issuer');
  }
  if (!isAcceptedSignatureAlgorithm(responder.signatureAlgorithm, query.libs)) {
    throw new Error('the OCSP responder certificate is not signed with a SHA-2 algorithm');
  }
  const purposes = walked.extKeyUsage?.value ?? [];
  if (!purposes.includes(ID_KP_OCSP_SIGNING)) throw new Error('the OCSP responder certificate lacks id-kp-OCSPSigning');
  if (query.nowMs < Date.parse(node.validFrom) || query.nowMs > Date.parse(node.validTo)) {
    throw new Error('the OCSP responder certificate is not valid now');
  }
}

function certStatusOf(single: Pkijs.SingleResponse, { asn1js }: PkiLibraries): OcspAnswer {
  const status = single.certStatus as InstanceType<typeof asn1js.BaseBlock>;
  if (status.idBlock.tagClass !== 3) throw new Error('the OCSP certStatus is malformed');
  switch (status.idBlock.tagNumber) {
    case 0:
      return { status: 'good' };
    case 1: {
      // RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
      const fields = (status as unknown as { valueBlock: { value?: unknown[] } }).valueBlock.value ?? [];
      const [time, reason] = fields;
      const revokedAtMs = time instanceof asn1js.GeneralizedTime ? time.toDate().getTime() : undefined;
      const reasonCode =
        reason instanceof asn1js.Constructed && reason.valueBlock.value[0] instanceof asn1js.Enumerated
          ? reason.valueBlock.value[0].valueBlock.valueDec
          : undefined;
      return { status: 'revoked', revokedAtMs, reason: crlReasonName(reasonCode) };
    }
    case 2:
      return { status: 'unknown' };
    default:
      throw new Error('the OCSP certStatus is malformed');
  }
}

function rejectCriticalExtensions(extensions: readonly Pkijs.Extension[] | undefined, where: string): void {
  const critical = (extensions ?? []).filter((extension) => extension.critical);
  if (critical.length > 0) {
    throw new Error(
      `the OCSP ${where} has critical extensions it is not understood with: ${critical.map((e) => e.extnID).join(', ')}`,
    );
  }
}
