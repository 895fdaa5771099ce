import { type Clock, systemClock } from '../clock';
import { DecisionEngine } from '../decision/engine';
import { describeError } from '../describe-error';
import { DigestPinner } from '../mutate/pinner';
import type { Policy } from '../policy/types';
import type { SignatureVerifier } from '../verify/types';
import type { Telemetry } from './telemetry';
import type { WebhookTokens } from './webhook-token';

/**
 * Everything an invocation needs, built once per cold start (Lambda) or once per process (CLI): the policy,
 * the engine with its verifiers, where to report, and the webhook token.
 */
export interface Runtime {
  readonly policy: Policy;
  readonly engine: DecisionEngine;
  /** Pins tag-only images to their verified digests for `/mutate` and `check --pin`, on the engine's verifiers. */
  readonly pinner: DigestPinner;
  /** The engine's verifiers, one per format (for `inspect`, which asks a format for each of its signatures). */
  readonly verifiers: readonly SignatureVerifier[];
  readonly telemetry: Telemetry;
  /** The evaluation instant for expiry checks: the system clock, or fixed by `--at`. */
  readonly clock: Clock;
  /** The current webhook token, or undefined when none is configured (then `/validate` has no token). */
  webhookToken(): Promise<string | undefined>;
  /** The tokens accepted: the current one and, during a rotation's overlap, the previous one. */
  webhookTokens(): Promise<WebhookTokens | undefined>;
  /**
   * Publishes the buffered metrics and awaits the cache writes in flight, for at most `budgetMs` when given (the
   * webhook must answer in time; a write still in flight then finishes in a later invocation).
   */
  flush(options?: { budgetMs?: number }): Promise<void>;
}

export interface RuntimeParts {
  readonly policy: Policy;
  readonly verifiers: readonly SignatureVerifier[];
  readonly telemetry: Telemetry;
  readonly clock?: Clock;
  readonly webhookToken?: () => Promise<WebhookTokens | undefined>;
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
  const pinner = new DigestPinner({
    policy: parts.policy,
    verifiers: parts.verifiers,
    observer: parts.telemetry.observer,
  });
  const webhookTokens = parts.webhookToken ?? (async () => undefined);
  return {
    policy: parts.policy,
    engine,
    pinner,
    verifiers: parts.verifiers,
    telemetry: parts.telemetry,
    clock: parts.clock ?? systemClock,
    webhookToken: async () => (await webhookTokens())?.current,
    webhookTokens,
    async flush(options = {}) {
      // Metrics first: they are in memory and cheap. Then the cache writes, bounded when asked.
      parts.telemetry.flush();
      let timer: NodeJS.Timeout | undefined;
      const budget =
        options.budgetMs === undefined
          ? []
          : [
              new Promise<void>((resolve) => {
                timer = setTimeout(resolve, options.budgetMs);
              }),
            ];
      try {
        await Promise.race([parts.flushCache?.(), ...budget]);
      } catch (error) {
        // The decision is made; a cache write that failed only costs a later origin fetch.
        parts.telemetry.observer.warn('cache flush failed', {
          error: describeError(error),
        });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
