import { TrustError } from '../../errors';
import { certificateRefusal } from './certificates';
import { ALL_PATHS, isDelegationName, parentOf, pathAllowed, restrictPaths } from './delegation-paths';
import { checkFileMeta, expectedFile } from './file-meta';
import { pinnedKeyFingerprints } from './keys';
import {
  type DelegationRoleJson,
  type Envelope,
  type FileMeta,
  parseEnvelope,
  type SnapshotSigned,
  snapshotSchema,
  type TargetsSigned,
  type TimestampSigned,
  targetsSchema,
  timestampSchema,
} from './metadata';
import { readPreviousRoot, rollback, type TrustedRoot, verifyRoot } from './root';
import { buildRoleKeys, type RoleKeys, verifyThreshold } from './signatures';
import { toSignedTargets } from './targets';
import { describeInstant, isExpired } from './time';
import type { DelegationToFetch, ExpectedFile, RoleTargets, RoleVersions, VerifiedTrust } from './types';

export interface TrustedMetadataOptions {
  /** The repository's GUN (normalized image name); root certificates must name it. */
  readonly gun: string;
  /** The evaluation instant (epoch ms) for every expiry and certificate validity check. */
  readonly nowMs: number;
  /** Pinned root public keys or certificates (PEM). Empty: trust on first use. */
  readonly pinnedRootKeys: readonly string[];
  /** Root bytes trusted before (TOFU or an earlier rotation): a new root must be signed by its keys too. */
  readonly trustedRoot?: Uint8Array;
  /** Highest versions seen before: anything lower is a rollback. */
  readonly minVersions?: RoleVersions;
}

/**
 * Distinct delegated roles walked per repository. python-tuf visits at most 32 roles per target search
 * (`max_delegations`); notary and `docker trust` repositories have `targets/releases` plus one role per signer,
 * rarely more than a dozen. 64 leaves room for large teams and still bounds the work a hostile repository causes:
 * about 64 downloads and 64 signature checks (the `delegations` bench row).
 */
export const MAX_DELEGATED_ROLES = 64;

/** A targets role (top-level or delegated) that verified: what it signed, and what it may delegate. */
interface LoadedTargets {
  readonly role: string;
  readonly paths: readonly string[];
  readonly envelope: Envelope<TargetsSigned>;
}

/**
 * The TUF client workflow for one Notary v1 repository, without I/O (after tuf-js TrustedMetadataStore and notary's
 * tuf/client): the updater fetches bytes in order and hands them here; each `update*` verifies them against what is
 * already trusted and throws TrustError on any failure. `result()` gives the verified data for the cache.
 */
export class TrustedMetadata {
  private readonly gun: string;
  private readonly nowMs: number;
  private readonly pinned: ReadonlySet<string>;
  private readonly minVersions: RoleVersions;
  private readonly cachedRoot: Uint8Array | undefined;
  private root: TrustedRoot | undefined;
  private timestamp: Envelope<TimestampSigned> | undefined;
  private snapshot: Envelope<SnapshotSigned> | undefined;
  /** Verified targets roles in load order: `targets` first. */
  private readonly loaded = new Map<string, LoadedTargets>();
  private readonly skipped = new Map<string, string>();
  /** Every delegation name seen in a loaded role (the walk's visited set). */
  private readonly discovered = new Set<string>();
  /** Delegations to fetch, in discovery order, with the role that named them first (the walk's queue). */
  private readonly pending = new Map<
    string,
    { readonly parent: string; readonly delegation: DelegationRoleJson; readonly fetch: DelegationToFetch }
  >();

  constructor(options: TrustedMetadataOptions) {
    this.gun = options.gun;
    this.nowMs = options.nowMs;
    this.pinned = new Set(options.pinnedRootKeys.flatMap(pinnedKeyFingerprints));
    this.minVersions = { ...options.minVersions };
    this.cachedRoot = options.trustedRoot;
  }

  /**
   * TUF 5.3 / notary ValidateRoot: verifies a root against the pinned keys and the root trusted before (see root.ts).
   * May be called again with newer roots (intermediate versions of a rotation): each must be accepted by the last.
   */
  updateRoot(bytes: Uint8Array): void {
    if (this.timestamp) throw this.outOfOrder('root', 'after the timestamp');
    const previous =
      this.root ?? (this.cachedRoot ? readPreviousRoot(this.cachedRoot, this.gun, this.nowMs) : undefined);
    this.root = verifyRoot(bytes, {
      gun: this.gun,
      nowMs: this.nowMs,
      pinnedFingerprints: this.pinned,
      previous,
      minVersion: this.minVersions.root,
    });
  }

  /** TUF 5.4: the timestamp is signed by the root's timestamp keys, not older than before, not expired. */
  updateTimestamp(bytes: Uint8Array): void {
    if (this.snapshot) throw this.outOfOrder('timestamp', 'after the snapshot');
    const root = this.requireRoot();
    const envelope = parseEnvelope('timestamp', bytes, timestampSchema);
    this.verifyRole('the timestamp', envelope, root.roleKeys.timestamp, 'timestamp');
    if (!envelope.signed.meta.snapshot) {
      throw new TrustError('NOTARY_ERROR', `the timestamp of ${this.gun} does not list the snapshot`);
    }
    this.timestamp = envelope;
  }

  /** Length and hash of snapshot.json as the timestamp signed them (fetch `snapshot.<sha256Hex>.json`). */
  snapshotMeta(): ExpectedFile {
    return expectedFile(this.timestamp?.signed.meta.snapshot);
  }

  /**
   * TUF 5.5: the snapshot bytes match the timestamp's hash and length, it is signed by the snapshot keys, not
   * older than before, not expired. As in notary, the root it records must be the root trusted here.
   */
  updateSnapshot(bytes: Uint8Array): void {
    if (this.loaded.size > 0) throw this.outOfOrder('snapshot', 'after the targets');
    if (!this.timestamp) throw this.outOfOrder('snapshot', 'before the timestamp');
    const root = this.requireRoot();
    checkFileMeta(`the snapshot of ${this.gun}`, bytes, this.timestamp.signed.meta.snapshot!);
    const envelope = parseEnvelope('snapshot', bytes, snapshotSchema);
    this.verifyRole('the snapshot', envelope, root.roleKeys.snapshot, 'snapshot');
    // As the notary client (tuf/client checkRoot, snapshot.go): a snapshot records the root and the targets.
    for (const required of ['root', 'targets'] as const) {
      if (!Object.hasOwn(envelope.signed.meta, required)) {
        throw new TrustError('NOTARY_ERROR', `the snapshot of ${this.gun} does not record ${required} metadata`);
      }
    }
    checkFileMeta(`the root of ${this.gun} (as recorded in its snapshot)`, root.bytes, envelope.signed.meta.root!);
    this.snapshot = envelope;
  }

  /** Length and hash of targets.json as the snapshot signed them (fetch `targets.<sha256Hex>.json`). */
  targetsMeta(): ExpectedFile {
    return expectedFile(this.snapshot?.signed.meta.targets);
  }

  /** TUF 5.6: targets bytes match the snapshot, signed by the targets keys, not older than before, not expired. */
  updateTargets(bytes: Uint8Array): void {
    if (this.loaded.size > 0) throw this.outOfOrder('targets', 'twice');
    const meta = this.snapshotEntry('targets');
    const root = this.requireRoot();
    checkFileMeta(`the targets of ${this.gun}`, bytes, meta);
    const envelope = parseEnvelope('targets', bytes, targetsSchema);
    this.verifyRole('the targets', envelope, root.roleKeys.targets, 'targets');
    const loaded = { role: 'targets', paths: ALL_PATHS, envelope };
    this.loaded.set('targets', loaded);
    this.discover(loaded);
  }

  /**
   * Delegations to fetch next: roles that a loaded targets role delegates to directly, that the snapshot lists and
   * that are not loaded or skipped yet. Call again after loading them: their own delegations appear then.
   * Delegations the snapshot does not list, or that are not direct children of the role naming them, are skipped
   * (as notary does), with the reason. O(1) per call and role: see discover().
   */
  delegationsToFetch(): DelegationToFetch[] {
    return [...this.pending.values()].map(({ fetch }) => fetch);
  }

  /**
   * TUF 5.6.x for a delegated role: bytes that do not match the snapshot fail the whole repository (tampering);
   * a delegation that is expired or short of its threshold is skipped (notary: ErrExpired / ErrRoleThreshold), so
   * its targets do not count; a version below the highest seen is a rollback. Targets outside the delegation's
   * paths (narrowed by its parent's) are dropped.
   */
  updateDelegatedTargets(role: string, bytes: Uint8Array): 'loaded' | 'skipped' {
    const found = this.pending.get(role);
    if (!found) throw this.outOfOrder(role, 'before its parent or without being listed');
    this.pending.delete(role);
    const parent = this.loaded.get(found.parent)!;
    const what = `the ${role} delegation of ${this.gun}`;
    checkFileMeta(what, bytes, this.snapshotEntry(role));
    const envelope = parseEnvelope(role, bytes, targetsSchema);
    const refusal = this.delegationRefusal(what, envelope, this.delegationKeys(parent, found.delegation));
    if (refusal) {
      this.skip(role, refusal);
      return 'skipped';
    }
    this.checkVersion(what, role, envelope.signed.version);
    const loaded = { role, paths: restrictPaths(parent.paths, found.delegation.paths), envelope };
    this.loaded.set(role, loaded);
    this.discover(loaded);
    return 'loaded';
  }

  /** The verified result, for resolution and the cache. Every listed delegation must have been loaded or skipped. */
  result(): VerifiedTrust {
    const targets = this.loaded.get('targets');
    if (!targets || !this.root || !this.timestamp || !this.snapshot) {
      throw new TrustError('NOTARY_ERROR', `the trust data of ${this.gun} was not fully loaded`);
    }
    const unfetched = [...this.pending.keys()];
    if (unfetched.length > 0) {
      throw new TrustError('NOTARY_ERROR', `delegations of ${this.gun} were not loaded: ${unfetched.join(', ')}`);
    }
    const loaded = [...this.loaded.values()];
    const roles: RoleTargets[] = loaded.map(({ role, paths, envelope }) => ({
      role,
      targets: toSignedTargets(envelope.signed.targets ?? {}, (name) => pathAllowed(paths, name)),
    }));
    const versions: RoleVersions = {
      root: this.root.version,
      timestamp: this.timestamp.signed.version,
      snapshot: this.snapshot.signed.version,
    };
    for (const { role, envelope } of loaded) versions[role] = envelope.signed.version;
    const expiries = [this.root, this.timestamp, this.snapshot, ...loaded.map((l) => l.envelope)];
    return {
      gun: this.gun,
      roles,
      versions,
      expiresAtMs: Math.min(...expiries.map((e) => e.expiresAtMs)),
      root: this.root.bytes.toString('base64'),
      rootVersion: this.root.version,
      skippedRoles: [...this.skipped].map(([role, reason]) => ({ role, reason })),
    };
  }

  /** Signatures (threshold), then rollback, then expiry: the order of the TUF client workflow. */
  private verifyRole(what: string, envelope: Envelope<unknown>, keys: RoleKeys, role: string): void {
    const subject = `${what} of ${this.gun}`;
    verifyThreshold(subject, envelope, keys);
    this.checkVersion(subject, role, (envelope.signed as { version: number }).version);
    if (isExpired(envelope.expiresAtMs, this.nowMs)) {
      throw new TrustError(
        'METADATA_EXPIRED',
        `${subject} expired at ${describeInstant(envelope.expiresAtMs)} (evaluated at ${describeInstant(this.nowMs)}): ` +
          'the repository owner must re-publish its trust data',
      );
    }
  }

  private checkVersion(what: string, role: string, version: number): void {
    const min = this.minVersions[role];
    if (min !== undefined && version < min) throw rollback(what, version, min);
  }

  /** Why a delegation does not count (under threshold, expired), or undefined when it does. */
  private delegationRefusal(what: string, envelope: Envelope<TargetsSigned>, keys: RoleKeys): string | undefined {
    try {
      verifyThreshold(what, envelope, keys);
    } catch (error) {
      if (error instanceof TrustError && error.code === 'SIGNATURE_INVALID') return error.message;
      throw error;
    }
    if (isExpired(envelope.expiresAtMs, this.nowMs)) return `it expired at ${describeInstant(envelope.expiresAtMs)}`;
    return undefined;
  }

  /** A delegation's keys come from its parent; certificates must be valid at the evaluation instant. */
  private delegationKeys(parent: LoadedTargets, delegation: DelegationRoleJson): RoleKeys {
    const keyObjects = parent.envelope.signed.delegations?.keys ?? {};
    return buildRoleKeys(delegation.name, delegation.keyids, delegation.threshold, keyObjects, (key) =>
      certificateRefusal(key.certificate, this.nowMs),
    );
  }

  /**
   * Walks the delegations a newly loaded targets role names, once each (the visited set is `discovered`; the queue
   * is `pending`, in discovery order): O(N) over the whole tree where the walk before was O(N^3). Past
   * MAX_DELEGATED_ROLES distinct roles the repository is refused: its owner delegates more than any client bounds.
   */
  private discover(parent: LoadedTargets): void {
    for (const delegation of parent.envelope.signed.delegations?.roles ?? []) {
      const name = delegation.name;
      if (this.discovered.has(name) || name === 'targets') continue; // the first role naming it wins
      this.discovered.add(name);
      if (this.discovered.size > MAX_DELEGATED_ROLES) {
        throw new TrustError(
          'NOTARY_ERROR',
          `${this.gun} delegates to more than ${MAX_DELEGATED_ROLES} roles, more than notary-gate walks for one ` +
            'repository: refused (ask its owner to consolidate delegations)',
        );
      }
      if (!isDelegationName(name) || parentOf(name) !== parent.role) {
        this.skip(name, `it is not a valid delegation of ${parent.role}`);
        continue;
      }
      const meta = this.snapshot?.signed.meta[name];
      if (!meta) {
        this.skip(name, 'the snapshot does not list it');
        continue;
      }
      this.pending.set(name, { parent: parent.role, delegation, fetch: { role: name, ...expectedFile(meta) } });
    }
  }

  private snapshotEntry(role: string): FileMeta {
    if (!this.snapshot) throw this.outOfOrder(role, 'before the snapshot');
    const meta = this.snapshot.signed.meta[role];
    if (!meta) throw new TrustError('NOTARY_ERROR', `the snapshot of ${this.gun} does not list ${role}`);
    return meta;
  }

  /** The root to verify against: the one loaded, else the one trusted before (verified again at this instant). */
  private requireRoot(): TrustedRoot {
    if (!this.root && this.cachedRoot) this.updateRoot(this.cachedRoot);
    if (!this.root) throw new TrustError('NOTARY_ERROR', `no root of ${this.gun} was loaded: the updater is broken`);
    return this.root;
  }

  private skip(role: string, reason: string): void {
    if (!this.skipped.has(role)) this.skipped.set(role, reason);
  }

  private outOfOrder(role: string, when: string): TrustError {
    return new TrustError('NOTARY_ERROR', `${role} metadata of ${this.gun} was given ${when}: the updater is broken`);
  }
}
