import { describeError } from '../../describe-error';
import { TrustError } from '../../errors';
import { canonicalBytes } from './canonical-json';
import { type ParsedKey, parseTufKey, type TufKeyJson, verifySignature } from './keys';
import type { Envelope } from './metadata';

/**
 * Keys one role may list. notary-signer and `notary key rotate` give a role one key, a delegation a handful of
 * signers; python-tuf never needs more. Parsing a key costs ~50 us (a certificate more), so a role listing
 * thousands would stall the instance: refused beyond this.
 */
export const MAX_KEYS_PER_ROLE = 64;
/**
 * Signatures verified per envelope beyond one per listed key: room for a key that signed twice (with two methods,
 * as other TUF tools may) and for signatures by keys of another role version. A flood past this is refused before
 * any signature is verified (27,438 bogus signatures cost 3.9 s of CPU before the cap).
 */
export const SIGNATURE_SLACK = 4;

/** The keys and threshold a role's metadata must be signed with. */
export interface RoleKeys {
  readonly role: string;
  /** Distinct key IDs the role lists, usable or not: the basis of the signature cap. */
  readonly listed: number;
  /** Usable keys by their (verified) key ID. */
  readonly keys: ReadonlyMap<string, ParsedKey>;
  readonly threshold: number;
  /** Keys listed for the role that could not be used, with why (for reasons a person reads). */
  readonly unusable: readonly string[];
}

/**
 * Builds a role's keys from the key IDs it lists and the key objects its parent carries. A key that is missing,
 * cannot be parsed, is listed under an ID that is not its content hash (tuf/signed/verify.go ErrInvalidKeyID), or
 * fails `accept` is left out: it can only lower the count of valid signatures, never raise it.
 */
export function buildRoleKeys(
  role: string,
  keyIds: readonly string[],
  threshold: number,
  keyObjects: Readonly<Record<string, TufKeyJson>>,
  accept: (key: ParsedKey) => string | undefined = () => undefined,
): RoleKeys {
  const keys = new Map<string, ParsedKey>();
  const unusable: string[] = [];
  const distinct = new Set(keyIds);
  if (distinct.size > MAX_KEYS_PER_ROLE) {
    throw new TrustError(
      'NOTARY_ERROR',
      `the ${role} role lists ${distinct.size} keys, more than the ${MAX_KEYS_PER_ROLE} notary-gate accepts per role`,
    );
  }
  for (const keyId of distinct) {
    const json = Object.hasOwn(keyObjects, keyId) ? keyObjects[keyId] : undefined;
    if (!json) {
      unusable.push(`${short(keyId)}: not among the listed keys`);
      continue;
    }
    try {
      const key = parseTufKey(json);
      const refusal = key.id === keyId ? accept(key) : 'its ID is not the hash of its content';
      if (refusal) unusable.push(`${short(keyId)}: ${refusal}`);
      else keys.set(keyId, key);
    } catch (error) {
      unusable.push(`${short(keyId)}: ${describeError(error)}`);
    }
  }
  return { role, listed: distinct.size, keys, threshold, unusable };
}

/**
 * Refuses an envelope carrying more signatures than `allowed` (the distinct keys that could sign it, plus
 * SIGNATURE_SLACK), before verifying any: a flood is malformed data, not a threshold question.
 */
export function checkSignatureCount(what: string, envelope: Envelope<unknown>, allowedKeys: number): void {
  const max = allowedKeys + SIGNATURE_SLACK;
  if (envelope.signatures.length > max) {
    throw new TrustError(
      'NOTARY_ERROR',
      `${what} carries ${envelope.signatures.length} signatures, more than the ${max} its role's keys can make ` +
        `(${allowedKeys} key(s) + ${SIGNATURE_SLACK}): refused without verifying them`,
    );
  }
}

/**
 * The distinct keys that produced a valid signature over the canonical `signed` bytes. Signatures by keys the
 * role does not list are ignored; several signatures by one key (or by one public key listed twice, e.g. bare and
 * as a certificate) count once: the result is keyed by public-key fingerprint.
 */
export function validSigners(
  envelope: Envelope<unknown>,
  roleKeys: RoleKeys,
  allowedKeys = roleKeys.listed,
): Map<string, ParsedKey> {
  checkSignatureCount(`the ${roleKeys.role} metadata`, envelope, allowedKeys);
  const message = canonicalBytes(envelope.rawSigned);
  const signers = new Map<string, ParsedKey>();
  for (const signature of envelope.signatures) {
    const key = roleKeys.keys.get(signature.keyid);
    if (!key || signers.has(key.fingerprint)) continue;
    if (verifySignature(key, signature.method, signature.sig, message)) signers.set(key.fingerprint, key);
  }
  return signers;
}

/** TUF client workflow: a role's metadata must carry valid signatures from at least `threshold` distinct keys. */
export function verifyThreshold(
  what: string,
  envelope: Envelope<unknown>,
  roleKeys: RoleKeys,
  allowedKeys = roleKeys.listed,
): Map<string, ParsedKey> {
  checkSignatureCount(what, envelope, allowedKeys);
  const signers = validSigners(envelope, roleKeys, allowedKeys);
  if (roleKeys.threshold < 1) {
    throw new TrustError('NOTARY_ERROR', `${what}: the ${roleKeys.role} role has an invalid threshold`);
  }
  if (signers.size < roleKeys.threshold) {
    const unusable = roleKeys.unusable.length ? ` (unusable keys: ${roleKeys.unusable.join('; ')})` : '';
    throw new TrustError(
      'SIGNATURE_INVALID',
      `${what} carries valid signatures from ${signers.size} of the ${roleKeys.threshold} ${roleKeys.role} key(s) ` +
        `it requires${unusable}: the metadata was not signed by the repository's keys or was altered`,
    );
  }
  return signers;
}

function short(keyId: string): string {
  return keyId.slice(0, 12);
}
