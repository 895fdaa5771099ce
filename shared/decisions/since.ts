import { InvalidInputError } from '../errors';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
/** Logs Insights reaches back at most as far as the log group's retention; a year covers every sensible use. */
const MAX_LOOKBACK_MS = 366 * UNIT_MS.d;

/**
 * The start of a query window: a duration back from now (`90s`, `15m`, `1h`, `7d`, `2w`) or an RFC 3339 instant
 * (`2026-11-27T10:00:00Z`). Returns epoch milliseconds.
 */
export function parseSince(text: string, nowMs: number): number {
  const duration = /^(\d+)([smhdw])$/.exec(text.trim());
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
    if (ms <= 0 || ms > MAX_LOOKBACK_MS)
      throw new InvalidInputError(`--since ${text}: must be more than 0 and at most 366d`);
    return nowMs - ms;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text.trim())) {
    const instant = Date.parse(text);
    if (Number.isNaN(instant)) throw new InvalidInputError(`--since ${text}: not a valid instant`);
    if (instant >= nowMs) throw new InvalidInputError(`--since ${text}: is not in the past`);
    return instant;
  }
  throw new InvalidInputError(`--since ${text}: give a duration such as 15m, 1h or 7d, or an RFC 3339 instant`);
}
