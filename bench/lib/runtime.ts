/**
 * The webhook runtime assembled from the same parts as runtimeFromEnv (shared/runtime), with two seams a scenario
 * needs: the store (memory, or memory in front of a DynamoDB the scenario shares between runtimes) and the HTTP
 * transport (wrapped to record requests).
 */
import { MemoryStore } from '../../shared/cache/memory-store';
import { TieredTrustCache } from '../../shared/cache/trust-cache';
import type { KeyValueStore } from '../../shared/cache/types';
import { NotaryVerifier } from '../../shared/notary/verifier';
import type { Policy } from '../../shared/policy/types';
import type { HttpTransport } from '../../shared/registry/http';
import { createRuntime, type Runtime } from '../../shared/runtime/runtime';
import type { Telemetry } from '../../shared/runtime/telemetry';

export interface BenchRuntimeParts {
  readonly policy: Policy;
  readonly telemetry: Telemetry;
  readonly http: HttpTransport;
  /** Default: a new in-process memory store (a cold instance). */
  readonly store?: KeyValueStore;
}

export function benchRuntime(parts: BenchRuntimeParts): Runtime {
  const store: KeyValueStore = parts.store ?? new MemoryStore();
  const observer = parts.telemetry.observer;
  const verifier = new NotaryVerifier({
    cache: new TieredTrustCache({ store, observer }),
    store,
    observer,
    http: parts.http,
    freshTtlMs: parts.policy.cache.freshTtlSeconds * 1000,
    maxStaleMs: parts.policy.cache.maxStaleSeconds * 1000,
  });
  return createRuntime({
    policy: parts.policy,
    verifiers: [verifier],
    telemetry: parts.telemetry,
    flushCache: async () => store.flush?.(),
  });
}
