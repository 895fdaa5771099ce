/** TUF expiry: metadata is expired from its `expires` instant on (inclusive, failing closed on the boundary). */
export function isExpired(expiresAtMs: number, nowMs: number): boolean {
  return !(nowMs < expiresAtMs);
}

/** An instant for reasons people read: ISO 8601 in UTC. */
export function describeInstant(epochMs: number): string {
  return Number.isFinite(epochMs) ? new Date(epochMs).toISOString() : String(epochMs);
}
