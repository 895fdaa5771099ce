/**
 * The Notation verifier with its real parts: the registry client, RFC 3161 timestamps, OCSP/CRL revocation and
 * the AWS Signer plugin. Imported by the format module (./module.ts) on the first Notation admission only.
 */
import { systemClock } from '../clock';
import { OciRegistryClient } from '../registry/client';
import type { FormatDeps } from '../verify/format';
import type { SignatureVerifier } from '../verify/types';
import { verificationPlugins } from './aws-signer';
import { OcspCrlRevocationChecker } from './revocation/revocation-checker';
import { Rfc3161TimestampVerifier } from './timestamp/timestamp-verifier';
import { NotationVerifier } from './verifier';

export function createNotationVerifier({ policy, cache, observer }: FormatDeps): SignatureVerifier {
  return new NotationVerifier({
    cache: cache.trustCache,
    registry: new OciRegistryClient({ store: cache.store, registries: policy.registries, observer }),
    timestamps: new Rfc3161TimestampVerifier(),
    revocation: new OcspCrlRevocationChecker(),
    plugins: verificationPlugins({ env: process.env, clock: systemClock }),
    freshTtlMs: policy.cache.freshTtlSeconds * 1000,
    maxStaleMs: policy.cache.maxStaleSeconds * 1000,
  });
}
