/**
 * The digest algorithms a timestamp or revocation answer may name, by OID, with node's names for them. SHA-1 is
 * left out on purpose: the Notary Project signature specification refuses SHA-1 anywhere in a signature's trust.
 */
import type * as Pkijs from 'pkijs';
import type { PkiLibraries } from '../pki-libraries';

export const HASH_ALGORITHMS_BY_OID: Readonly<Record<string, HashAlgorithm>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** node's name for a digest OID, or undefined when it is not one we accept. */
export function hashAlgorithmOf(oid: string): HashAlgorithm | undefined {
  return Object.hasOwn(HASH_ALGORITHMS_BY_OID, oid) ? HASH_ALGORITHMS_BY_OID[oid] : undefined;
}

/**
 * Signature algorithms accepted on a certificate, a CMS signer or a revocation answer (RSA PKCS#1 v1.5 and ECDSA
 * with SHA-2; RSASSA-PSS is checked separately because its hash sits in the parameters).
 */
export const SIGNATURE_ALGORITHM_OIDS: ReadonlySet<string> = new Set([
  '1.2.840.113549.1.1.11', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13', // sha512WithRSAEncryption
  '1.2.840.10045.4.3.2', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4', // ecdsa-with-SHA512
]);

/** RSASSA-PSS: allowed when its parameters name a SHA-2 hash (the default parameters mean SHA-1). */
export const RSASSA_PSS_OID = '1.2.840.113549.1.1.10';
/** rsaEncryption: CMS signers may name it with the hash in digestAlgorithm (RFC 5754 section 3.2). */
export const RSA_ENCRYPTION_OID = '1.2.840.113549.1.1.1';

/** Whether a pkijs AlgorithmIdentifier names a signature algorithm we accept (SHA-2 only, PSS included). */
export function isAcceptedSignatureAlgorithm(
  algorithm: Pkijs.AlgorithmIdentifier,
  { pkijs }: PkiLibraries,
  { allowRsaEncryption = false } = {},
): boolean {
  if (SIGNATURE_ALGORITHM_OIDS.has(algorithm.algorithmId)) return true;
  if (allowRsaEncryption && algorithm.algorithmId === RSA_ENCRYPTION_OID) return true;
  if (algorithm.algorithmId !== RSASSA_PSS_OID || algorithm.algorithmParams === undefined) return false;
  try {
    const params = new pkijs.RSASSAPSSParams({ schema: algorithm.algorithmParams });
    return hashAlgorithmOf(params.hashAlgorithm.algorithmId) !== undefined;
  } catch {
    return false;
  }
}
