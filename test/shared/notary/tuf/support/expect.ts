import { TrustError } from '../../../../../shared/errors';

/** Runs `action` and returns the TrustError it throws; fails the test when it throws nothing or something else. */
export function trustErrorOf(action: () => unknown): TrustError {
  try {
    action();
  } catch (error) {
    if (error instanceof TrustError) return error;
    throw error;
  }
  throw new Error('expected a TrustError, but nothing was thrown');
}
