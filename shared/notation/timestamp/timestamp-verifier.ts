/**
 * Verifies an RFC 3161 countersignature (`io.cncf.notary.timestampSignature`) against a `tsa` trust store, as
 * trust-store-trust-policy.md step "authentic timestamp" and tspclient-go do:
 *   1. parse the TimeStampToken (bounded) and its TSTInfo; version 1; the message imprint is the hash, with the
 *      algorithm the token names, of the envelope's raw primitive signature;
 *   2. per SignerInfo: SHA-2 digest, signed attributes with content-type id-ct-TSTInfo, the CMS signature and
 *      message-digest verify (pkijs), signing-certificate-v2 names the signer certificate;
 *   3. the signer chains to a `tsa` root (root CAs only) and meets the timestamping certificate requirements;
 *   4. accuracy: TSTInfo.accuracy, else 1 s under the baseline policy, else 0.
 * Revocation of the returned `tsaChain` is the caller's (the spec checks it once the timestamp is used).
 */
import type * as Pkijs from 'pkijs';
import { loadPkiLibraries, type PkiLibraries } from '../pki-libraries';
import type { TimestampVerifier, TimestampVerifyInput, VerifiedTimestamp } from '../types';
import { TimestampError } from './errors';
import { hashAlgorithmOf, isAcceptedSignatureAlgorithm } from './hash-algorithms';
import { checkSigningCertificateV2 } from './signing-certificate';
import { ID_CT_TST_INFO, type ParsedTimestampToken, parseTimestampToken } from './token';
import { buildTsaChain } from './tsa-chain';
import { readTstInfo } from './tst-info';

const ID_CONTENT_TYPE = '1.2.840.113549.1.9.3';

export class Rfc3161TimestampVerifier implements TimestampVerifier {
  async verify(input: TimestampVerifyInput): Promise<VerifiedTimestamp> {
    if (input.tsaRoots.length === 0) throw new TimestampError('the tsa trust store is empty');
    const libs = await loadPkiLibraries();
    const token = parseTimestampToken(input.tokenDer, libs);
    const time = readTstInfo(token.tstInfo, input.signature);
    let lastError: unknown;
    for (let index = 0; index < token.signedData.signerInfos.length; index++) {
      try {
        const signer = await verifySignerInfo(token, index, input.signature, libs);
        const chain = buildTsaChain(signer, token.certificates, input.tsaRoots, time.genTimeMs, libs);
        return { ...time, tsaChain: chain.map((certificate) => certificate.x509) };
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError instanceof TimestampError
      ? lastError
      : new TimestampError('the token could not be verified', { cause: lastError });
  }
}

/** Checks one SignerInfo's algorithms, attributes and signature; returns the certificate that signed. */
async function verifySignerInfo(token: ParsedTimestampToken, index: number, signature: Uint8Array, libs: PkiLibraries) {
  const signerInfo = token.signedData.signerInfos[index] as Pkijs.SignerInfo;
  const digestOid = signerInfo.digestAlgorithm.algorithmId;
  if (!hashAlgorithmOf(digestOid)) throw new TimestampError(`the token is signed with digest ${digestOid}, not SHA-2`);
  if (!isAcceptedSignatureAlgorithm(signerInfo.signatureAlgorithm, libs, { allowRsaEncryption: true })) {
    throw new TimestampError(
      `the token's signature algorithm ${signerInfo.signatureAlgorithm.algorithmId} is not accepted`,
    );
  }
  // RFC 5652 section 5.3: signed attributes are required for non-data content, and content-type must be the
  // encapsulated type (pkijs only checks it is present).
  const contentTypes = signerInfo.signedAttrs?.attributes.filter((attribute) => attribute.type === ID_CONTENT_TYPE);
  if (contentTypes?.length !== 1) throw new TimestampError('the token has no single content-type attribute');
  const contentType = contentTypes[0]?.values[0];
  if (!(contentType instanceof libs.asn1js.ObjectIdentifier) || contentType.getValue() !== ID_CT_TST_INFO) {
    throw new TimestampError('the signed content-type attribute is not id-ct-TSTInfo');
  }

  let result: Pkijs.SignedDataVerifyResult;
  try {
    result = await token.signedData.verify({
      signer: index,
      data: signature.slice().buffer,
      checkChain: false,
      extendedMode: true,
    });
  } catch (error) {
    const why = (error as { message?: string }).message ?? String(error);
    throw new TimestampError(`the token's CMS signature does not verify (${why})`, { cause: error });
  }
  if (result.signatureVerified !== true) throw new TimestampError("the token's CMS signature does not verify");
  const position = token.signedData.certificates?.indexOf(result.signerCertificate as Pkijs.Certificate) ?? -1;
  const signer = token.certificates[position];
  if (!signer) throw new TimestampError('the token does not carry the certificate that signed it');
  checkSigningCertificateV2(signerInfo, signer, libs);
  return signer;
}
