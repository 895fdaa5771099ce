/**
 * The Notation verifier with its real parts: the instance's registry client, RFC 3161 timestamps, OCSP/CRL revocation and
 * the AWS Signer plugin. Imported by the format module (./module.ts) on the first Notation admission only.
 */
import { systemClock } from '../clock';
import type { FormatDeps } from '../verify/format';
import type { SignatureVerifier } from '../verify/types';
import { verificationPlugins } from './aws-signer';
import { OcspCrlRevocationChecker } from './revocation/revocation-checker';
import { Rfc3161TimestampVerifier } from './timestamp/timestamp-verifier';
import { NotationVerifier } from './verifier';

export function createNotationVerifier({ policy, cache, registry }: FormatDeps): SignatureVerifier {
  return new NotationVerifier({
    cache: cache.trustCache,
    // The instance's one client: Notary v1 and Notation resolving one tag share the resolution, tokens and caches.
    registry,
    timestamps: new Rfc3161TimestampVerifier(),
    revocation: new OcspCrlRevocationChecker(),
    plugins: verificationPlugins({ env: process.env, clock: systemClock }),
    freshTtlMs: policy.cache.freshTtlSeconds * 1000,
    maxStaleMs: policy.cache.maxStaleSeconds * 1000,
  });
}
