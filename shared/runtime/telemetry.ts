import type { Observer } from '../observer';

/**
 * Where a runtime reports: the domain Observer (metrics, warnings), the one decision record per admission,
 * and a flush of buffered metrics before an invocation returns. The Lambda backs it with Powertools
 * (powertools.ts); the CLI writes JSON lines to standard error (stream-telemetry.ts).
 */
export interface Telemetry {
  readonly observer: Observer;
  logDecision(record: Record<string, unknown>): void;
  /** Logs a failure an operator must look at (never with tokens, credentials or raw events). */
  error(message: string, fields?: Record<string, unknown>): void;
  flush(): void;
}
