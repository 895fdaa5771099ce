/**
 * The TSTInfo checks of RFC 3161 section 2.4.2 that Notation relies on (trust-store-trust-policy.md, "Steps"):
 * version 1, a message imprint over the envelope's primitive signature with the hash the token names, and the
 * time with its accuracy. The nonce is not checked: the verifier never sent the request.
 */
import { createHash } from 'node:crypto';
import type * as Pkijs from 'pkijs';
import { TimestampError } from './errors';
import { hashAlgorithmOf } from './hash-algorithms';

/**
 * ETSI EN 319 422 "best practices" policy: its tokens must be accurate to 1 s, so a token under it that states no
 * accuracy counts as +-1 s (Notary Project spec; tspclient-go).
 */
export const BASELINE_TIMESTAMP_POLICY_OID = '0.4.0.2023.1.1';

export interface TimestampTime {
  readonly genTimeMs: number;
  readonly accuracyMs: number;
}

export function readTstInfo(tstInfo: Pkijs.TSTInfo, signature: Uint8Array): TimestampTime {
  if (tstInfo.version !== 1) throw new TimestampError(`TSTInfo version is ${tstInfo.version}, not 1`);
  const hashOid = tstInfo.messageImprint.hashAlgorithm.algorithmId;
  const hash = hashAlgorithmOf(hashOid);
  if (!hash) throw new TimestampError(`the message imprint uses an unsupported hash (${hashOid})`);
  const expected = createHash(hash).update(signature).digest();
  const imprint = Buffer.from(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (!expected.equals(imprint)) {
    throw new TimestampError('the message imprint does not match the signature it is supposed to timestamp');
  }
  const genTimeMs = tstInfo.genTime.getTime();
  if (!Number.isFinite(genTimeMs)) throw new TimestampError('the TSTInfo genTime is not a valid time');
  return { genTimeMs, accuracyMs: accuracyMsOf(tstInfo) };
}

/**
 * TSTInfo.accuracy in whole milliseconds (microseconds rounded up: a wider window is the safe side); absent or
 * all zero means 1 s under the baseline policy, else 0.
 */
function accuracyMsOf(tstInfo: Pkijs.TSTInfo): number {
  const seconds = tstInfo.accuracy?.seconds ?? 0;
  const millis = tstInfo.accuracy?.millis ?? 0;
  const micros = tstInfo.accuracy?.micros ?? 0;
  const inRange = (value: number, max: number) => Number.isSafeInteger(value) && value >= 0 && value <= max;
  if (!inRange(seconds, Number.MAX_SAFE_INTEGER / 1000 - 1) || !inRange(millis, 999) || !inRange(micros, 999)) {
    throw new TimestampError('the TSTInfo accuracy is out of range (RFC 3161: millis and micros are 1..999)');
  }
  if (seconds === 0 && millis === 0 && micros === 0) {
    return tstInfo.policy === BASELINE_TIMESTAMP_POLICY_OID ? 1_000 : 0;
  }
  return seconds * 1_000 + millis + Math.ceil(micros / 1_000);
}
