import type { Cache } from '../cache/create';
import { NotaryVerifier } from '../notary/verifier';
import type { Observer } from '../observer';
import type { Policy } from '../policy/types';
import type { SignatureVerifier } from '../verify/types';

/**
 * The signature formats the engine knows, on the shared cache. A new format (Notation, AWS Signer) is one more
 * entry here and a rule section its `supports` recognises; the engine does not change.
 */
export function createVerifiers(policy: Policy, cache: Cache, observer: Observer): SignatureVerifier[] {
  return [
    new NotaryVerifier({
      cache: cache.trustCache,
      store: cache.store,
      observer,
      freshTtlMs: policy.cache.freshTtlSeconds * 1000,
      maxStaleMs: policy.cache.maxStaleSeconds * 1000,
    }),
  ];
}
