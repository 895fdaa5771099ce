/**
 * The one error the timestamp verifier throws: the countersignature cannot be trusted (code TIMESTAMP_INVALID,
 * as the TimestampVerifier seam in ../types.ts promises). `reason` says which check failed, in words an operator
 * can act on (it ends up in the verdict's reason).
 */
import { NotationError } from '../types';

export class TimestampError extends NotationError<'TIMESTAMP_INVALID'> {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('TIMESTAMP_INVALID', `The RFC 3161 timestamp is not valid: ${reason}`, options);
  }
}
