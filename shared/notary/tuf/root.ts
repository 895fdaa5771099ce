import { TrustError } from '../../errors';
import { certificateNotYetValid, certificateRefusal, commonNameMatchesGun } from './certificates';
import { type Envelope, parseEnvelope, type RootSigned, rootSchema } from './metadata';
import { buildRoleKeys, type RoleKeys, validSigners, verifyThreshold } from './signatures';
import { describeInstant, isExpired } from './time';

/** A root that passed every check: the keys it names for the other top-level roles are now trusted. */
export interface TrustedRoot {
  readonly bytes: Buffer;
  readonly version: number;
  /** Earliest of the root's own `expires` and its signing certificates' `notAfter`. */
  readonly expiresAtMs: number;
  readonly roleKeys: Readonly<Record<'root' | 'timestamp' | 'snapshot' | 'targets', RoleKeys>>;
}

export interface RootCheck {
  readonly gun: string;
  readonly nowMs: number;
  /** Fingerprints of pinned root keys; empty: trust on first use. */
  readonly pinnedFingerprints: ReadonlySet<string>;
  /** The root trusted before, whose keys must sign a changed root. */
  readonly previous?: TrustedRoot;
  readonly minVersion?: number;
}

const TOP_LEVEL_ROLES = ['root', 'timestamp', 'snapshot', 'targets'] as const;

/**
 * Verifies root.json the way notary's client does (trustpinning/certs.go ValidateRoot) plus TUF's rotation and
 * rollback rules:
 * 1. root keys are certificates naming the GUN and valid at the evaluation instant;
 * 2. the root is signed by a threshold of its own root keys;
 * 3. with pinned keys: at least one pinned key is among those that signed it;
 * 4. when it differs from the root trusted before: a threshold of the previous root keys signed it too (rotation),
 *    and its version did not go down;
 * 5. its version is not below the highest seen; it has not expired.
 */
export function verifyRoot(bytes: Uint8Array, check: RootCheck): TrustedRoot {
  const what = `the root of ${check.gun}`;
  const envelope = parseEnvelope('root', bytes, rootSchema);
  const rootKeys = certificateRoleKeys(envelope.signed, check, true);
  if (rootKeys.keys.size === 0) throw noUsableRootKey(what, rootKeys, check.gun);

  // 2. self-signed by a threshold of its own (valid, GUN-named) root keys. During a rotation the previous root's
  // keys sign too, so they count toward the signature cap.
  const allowedKeys = rootKeys.listed + (check.previous?.roleKeys.root.listed ?? 0);
  const signers = verifyThreshold(what, envelope, rootKeys, allowedKeys);

  // 3. pinned keys: one of them must be among the signers (matched by public key, bare or in a certificate)
  if (check.pinnedFingerprints.size > 0 && ![...signers.keys()].some((f) => check.pinnedFingerprints.has(f))) {
    throw new TrustError(
      'ROOT_UNTRUSTED',
      `${what} is not signed by any of the pinned root keys: the server holds trust data made with other keys; ` +
        `check the rule's notary.rootKeys`,
    );
  }

  // 4. rotation: a changed root must be accepted by the root trusted before (keys not checked for expiry, as notary)
  const { previous } = check;
  if (previous && !previous.bytes.equals(bytes)) {
    const { version } = envelope.signed;
    const previousSigners = validSigners(envelope, previous.roleKeys.root, allowedKeys);
    if (previousSigners.size < previous.roleKeys.root.threshold) {
      // Without the trusted keys' consent it is foreign or old; either way it is not the repository's root now.
      const older = version < previous.version ? `, and it is version ${version}, older than ${previous.version}` : '';
      throw new TrustError(
        'ROOT_UNTRUSTED',
        `${what} changed and the new root is not signed by the root keys trusted before ` +
          `(${previousSigners.size} of ${previous.roleKeys.root.threshold})${older}: if the owner replaced the ` +
          'root keys on purpose, pin the new root key; otherwise the server is serving trust data it should not',
      );
    }
    if (version < previous.version) throw rollback(what, version, previous.version);
  }

  // 5. rollback and expiry
  if (check.minVersion !== undefined && envelope.signed.version < check.minVersion) {
    throw rollback(what, envelope.signed.version, check.minVersion);
  }
  if (isExpired(envelope.expiresAtMs, check.nowMs)) {
    throw new TrustError(
      'METADATA_EXPIRED',
      `${what} expired at ${describeInstant(envelope.expiresAtMs)} (evaluated at ${describeInstant(check.nowMs)})`,
    );
  }
  const certificateExpiry = Math.min(...[...signers.values()].map((key) => key.certificate?.notAfterMs ?? Infinity));
  return {
    bytes: Buffer.from(bytes),
    version: envelope.signed.version,
    expiresAtMs: Math.min(envelope.expiresAtMs, certificateExpiry),
    roleKeys: topLevelRoleKeys(envelope, rootKeys, check.nowMs),
  };
}

/**
 * A root trusted before (from the cache), read only for its keys and version: its signatures were checked when it
 * was first trusted, and its certificates may have expired since (notary does not check them here either).
 */
export function readPreviousRoot(bytes: Uint8Array, gun: string, nowMs: number): TrustedRoot {
  const envelope = parseEnvelope('root', bytes, rootSchema);
  const rootKeys = certificateRoleKeys(envelope.signed, { gun, nowMs }, false);
  return {
    bytes: Buffer.from(bytes),
    version: envelope.signed.version,
    expiresAtMs: envelope.expiresAtMs,
    roleKeys: topLevelRoleKeys(envelope, rootKeys, nowMs),
  };
}

/**
 * Root keys must be certificates whose CN names the GUN, valid at the instant when `checkValidity`. Keys left out
 * only for their validity window are remembered, so that the refusal can say "expired" rather than "untrusted".
 */
function certificateRoleKeys(
  root: RootSigned,
  { gun, nowMs }: { gun: string; nowMs: number },
  checkValidity: boolean,
): RoleKeys & { outsideValidity: number } {
  const role = root.roles.root;
  if (!role) throw new TrustError('NOTARY_ERROR', `the root of ${gun} defines no root role`);
  let outsideValidity = 0;
  const keys = buildRoleKeys('root', role.keyids, role.threshold, root.keys, (key) => {
    if (!key.certificate) return 'root keys must be certificates';
    if (!key.certificate.isLeafBundle) return 'its certificate bundle does not start with its only leaf certificate';
    if (!commonNameMatchesGun(key.certificate.commonName, gun)) {
      return `its certificate names "${key.certificate.commonName ?? ''}", not ${gun}`;
    }
    const refusal = checkValidity ? certificateRefusal(key.certificate, nowMs) : undefined;
    // Only an expired certificate counts towards METADATA_EXPIRED; one not yet valid did not expire.
    if (refusal && !certificateNotYetValid(key.certificate, nowMs)) outsideValidity += 1;
    return refusal;
  });
  return { ...keys, outsideValidity };
}

/** Timestamp, snapshot and targets keys; those given as certificates must be valid at the instant. */
function topLevelRoleKeys(envelope: Envelope<RootSigned>, rootKeys: RoleKeys, nowMs: number): TrustedRoot['roleKeys'] {
  const build = (name: (typeof TOP_LEVEL_ROLES)[number]): RoleKeys => {
    const role = envelope.signed.roles[name];
    if (!role) throw new TrustError('NOTARY_ERROR', `root.json defines no ${name} role`);
    return buildRoleKeys(name, role.keyids, role.threshold, envelope.signed.keys, (key) =>
      certificateRefusal(key.certificate, nowMs),
    );
  };
  return { root: rootKeys, timestamp: build('timestamp'), snapshot: build('snapshot'), targets: build('targets') };
}

/**
 * No root key is usable: expired certificates are METADATA_EXPIRED, anything else ROOT_UNTRUSTED, including
 * certificates not yet valid (the reason says so: their trust data did not expire, it has not begun).
 */
function noUsableRootKey(what: string, rootKeys: RoleKeys & { outsideValidity: number }, gun: string): TrustError {
  const reasons = rootKeys.unusable.join('; ') || 'the root role lists no keys';
  const expired = rootKeys.outsideValidity > 0 && rootKeys.outsideValidity === rootKeys.unusable.length;
  return new TrustError(
    expired ? 'METADATA_EXPIRED' : 'ROOT_UNTRUSTED',
    `${what} has no usable root certificate for ${gun} (${reasons})`,
  );
}

export function rollback(what: string, version: number, minVersion: number): TrustError {
  return new TrustError(
    'ROLLBACK',
    `${what} is version ${version}, older than version ${minVersion} seen before: the server is serving outdated ` +
      'trust data (a rollback attack or a restored backup)',
  );
}
