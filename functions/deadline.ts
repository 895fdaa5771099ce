import { DEADLINE_MARGIN_MS, WEBHOOK_TIMEOUT_SECONDS } from '../shared/constants';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

/**
 * Parses the apiserver's `?timeout=` value, a Go duration such as `10s`, `1m30s` or `500ms`. Returns undefined
 * for anything else, so that a strange value falls back to the default instead of failing the admission.
 */
export function parseGoDurationMs(text: string | undefined): number | undefined {
  if (text === undefined || !GO_DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * UNIT_MS[unit!]!;
  }
  return total;
}

/**
 * The wall-clock instant by which the answer must be ready: the apiserver's timeout counted from when the
 * function URL received the request (a cold start spends part of it), and the Lambda's own remaining time,
 * whichever ends first, minus DEADLINE_MARGIN_MS to serialise and send the answer.
 */
export function admissionDeadline(options: {
  timeoutQuery: string | undefined;
  /** When the request arrived (function URL `requestContext.timeEpoch`), if known. */
  receivedAtMs: number | undefined;
  nowMs: number;
  /** `context.getRemainingTimeInMillis()`, when running in Lambda. */
  remainingMs: number | undefined;
}): number {
  const timeoutMs = parseGoDurationMs(options.timeoutQuery) ?? WEBHOOK_TIMEOUT_SECONDS * 1000;
  const receivedAtMs = Math.min(options.receivedAtMs ?? options.nowMs, options.nowMs);
  const apiserverDeadline = receivedAtMs + timeoutMs;
  const lambdaDeadline =
    options.remainingMs === undefined ? Number.POSITIVE_INFINITY : options.nowMs + options.remainingMs;
  return Math.min(apiserverDeadline, lambdaDeadline) - DEADLINE_MARGIN_MS;
}
