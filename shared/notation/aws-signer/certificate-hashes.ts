/**
 * The `certificateHashes` of signer:GetRevocationStatus, built exactly as the AWS Signer Notation plugin builds them
 * (internal/verifier/verifier.go `hashCertificates`): for the chain leaf first, h_i = lowercase hex of
 * SHA-384(TBSCertificate_i), and entry i is h_i followed by h_(i+1), the last one h_n followed by itself. Each entry
 * thus names a certificate together with its issuer; AWS answers with the entries it has revoked.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { certificateParts } from '../x509/der';

/** The DER bytes of a certificate's TBSCertificate, exactly as encoded (the core's DER walker, no re-encoding). */
export function tbsCertificateDer(der: Uint8Array): Uint8Array {
  return certificateParts(der).tbs;
}

function tbsSha384Hex(certificate: X509Certificate): string {
  return createHash('sha384').update(tbsCertificateDer(certificate.raw)).digest('hex');
}

/** The certificate hashes for a chain, leaf first (the envelope's order). */
export function revocationCertificateHashes(chain: readonly X509Certificate[]): string[] {
  const hashes = chain.map(tbsSha384Hex);
  return hashes.map((hash, index) => hash + (hashes[index + 1] ?? hash));
}
