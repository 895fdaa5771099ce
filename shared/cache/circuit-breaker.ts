/**
 * Stops asking DynamoDB for a while after it failed. Without it, every cold admission during an outage would wait
 * for the cache's timeouts (two sequential reads: the trust entry, then the remembered root and versions) before
 * going to Notary; with it, the first failure opens the circuit and later requests skip DynamoDB at once until the
 * cool-down ends, when one request probes it again.
 *
 * Uses real time (an injected clock), never the evaluation instant of `--at`.
 */
import { type Clock, systemClock } from '../clock';

export const DEFAULT_BREAKER_COOLDOWN_MS = 30_000;

export interface CircuitBreakerOptions {
  readonly cooldownMs?: number;
  readonly clock?: Clock;
}

export class CircuitBreaker {
  readonly cooldownMs: number;
  private readonly clock: Clock;
  /** Set while open: requests are refused until this instant. */
  private openUntilMs: number | undefined;
  /** After the cool-down, one probe at a time. */
  private probing = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.cooldownMs = options.cooldownMs ?? DEFAULT_BREAKER_COOLDOWN_MS;
    this.clock = options.clock ?? systemClock;
  }

  get isOpen(): boolean {
    return this.openUntilMs !== undefined;
  }

  /** Whether a request may go out now; after the cool-down, true for exactly one probe until it settles. */
  allows(): boolean {
    if (this.openUntilMs === undefined) return true;
    if (this.clock() < this.openUntilMs || this.probing) return false;
    this.probing = true;
    return true;
  }

  succeeded(): void {
    this.openUntilMs = undefined;
    this.probing = false;
  }

  /** Returns true when this failure opened a closed circuit (so the caller warns once, not per request). */
  failed(): boolean {
    const wasClosed = this.openUntilMs === undefined;
    this.openUntilMs = this.clock() + this.cooldownMs;
    this.probing = false;
    return wasClosed;
  }
}
