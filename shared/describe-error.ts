/**
 * A thrown value as one line for logs and reasons: an Error's message, anything else as text. The one place of the
 * `error instanceof Error ? error.message : String(error)` idiom. Never use it on values that may hold secrets.
 */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
