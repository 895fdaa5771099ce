/**
 * Notation's use of a timestamp (trust-store-trust-policy.md, "Steps", authentic timestamp): the whole window
 * [genTime - accuracy, genTime + accuracy] must lie inside the validity of every certificate of the signing
 * chain, so the signature provably happened while the chain was valid. Pure: times in, error or nothing out.
 */
import type { X509Certificate } from 'node:crypto';
import { TimestampError } from './errors';

export interface TimestampWindow {
  readonly genTimeMs: number;
  readonly accuracyMs: number;
}

/** Throws TimestampError naming the first certificate whose validity does not contain the window. */
export function assertTimestampWithinValidity(timestamp: TimestampWindow, chain: readonly X509Certificate[]): void {
  const earliest = timestamp.genTimeMs - timestamp.accuracyMs;
  const latest = timestamp.genTimeMs + timestamp.accuracyMs;
  for (const certificate of chain) {
    const notBefore = Date.parse(certificate.validFrom);
    const notAfter = Date.parse(certificate.validTo);
    if (earliest < notBefore || latest > notAfter) {
      const window = `${new Date(earliest).toISOString()}..${new Date(latest).toISOString()}`;
      const validity = `${new Date(notBefore).toISOString()}..${new Date(notAfter).toISOString()}`;
      throw new TimestampError(
        `the timestamp window ${window} is not inside the validity ${validity} of "${certificate.subject.replaceAll('\n', ', ')}"`,
      );
    }
  }
}
