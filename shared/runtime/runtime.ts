import { type Clock, systemClock } from '../clock';
import { DecisionEngine } from '../decision/engine';
import type { Policy } from '../policy/types';
import type { SignatureVerifier } from '../verify/types';
import type { Telemetry } from './telemetry';

/**
 * Everything an invocation needs, built once per cold start (Lambda) or once per process (CLI): the policy,
 * the engine with its verifiers, where to report, and the webhook token.
 */
export interface Runtime {
  readonly policy: Policy;
  readonly engine: DecisionEngine;
  readonly telemetry: Telemetry;
  /** The evaluation instant for expiry checks: the system clock, or fixed by `--at`. */
  readonly clock: Clock;
  /** The expected webhook token, or undefined when none is configured (then `/validate` has no token). */
  webhookToken(): Promise<string | undefined>;
  /** Writes what the caches buffered and the metrics; called before every invocation returns. */
  flush(): Promise<void>;
}

export interface RuntimeParts {
  readonly policy: Policy;
  readonly verifiers: readonly SignatureVerifier[];
  readonly telemetry: Telemetry;
  readonly clock?: Clock;
  readonly webhookToken?: () => Promise<string | undefined>;
  /** Flushes the cache's pending writes. */
  readonly flushCache?: () => Promise<void>;
}

/** Assembles a runtime from its parts: the Lambda and the CLI build parts from env and flags, tests from fakes. */
export function createRuntime(parts: RuntimeParts): Runtime {
  const engine = new DecisionEngine({
    policy: parts.policy,
    verifiers: parts.verifiers,
    observer: parts.telemetry.observer,
  });
  return {
    policy: parts.policy,
    engine,
    telemetry: parts.telemetry,
    clock: parts.clock ?? systemClock,
    webhookToken: parts.webhookToken ?? (async () => undefined),
    async flush() {
      try {
        await parts.flushCache?.();
      } catch (error) {
        // The decision is made; a cache write that failed only costs a later origin fetch.
        parts.telemetry.observer.warn('cache flush failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      parts.telemetry.flush();
    },
  };
}
