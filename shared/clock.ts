/** The current time, injected everywhere an expiry or a TTL is checked, so tests and `--at` control it. */
export type Clock = () => number; // epoch milliseconds

export const systemClock: Clock = () => Date.now();

/** A clock frozen at one instant (for `--at` and tests). */
export const fixedClock =
  (epochMs: number): Clock =>
  () =>
    epochMs;
