import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../../../shared/notary/tuf/canonical-json';
import { TrustedMetadata, type TrustedMetadataOptions } from '../../../../../shared/notary/tuf/trusted-metadata';
import type { VerifiedTrust } from '../../../../../shared/notary/tuf/types';
import { signBytes, type TestKey } from './keys';

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** One role's metadata settings; `signers` defaults to `keys` (override to sign with other or fewer keys). */
export interface RoleSettings {
  keys: TestKey[];
  threshold: number;
  version: number;
  expiresAtMs: number;
  signers?: TestKey[];
  /** Changes `signed` just before signing (fields notary does not write, odd values). */
  edit?: (signed: Record<string, unknown>) => void;
}

export interface DelegationSettings extends RoleSettings {
  name: string;
  paths?: string[];
  targets: Record<string, string /* hex */>;
}

/** The bytes a Notary server would serve for one repository. */
export interface RepositoryFiles {
  root: Buffer;
  timestamp: Buffer;
  snapshot: Buffer;
  targets: Buffer;
  delegated: Record<string, Buffer>;
}

/**
 * Builds signed Notary v1 metadata from keys generated in the test, shaped as notary-server writes it: the root
 * lists every top-level key, snapshot records root, targets and delegations (sha256 + sha512, base64), the
 * timestamp records the snapshot. Change the settings, then `publish()`.
 */
export class RepositoryFixture {
  readonly root: RoleSettings;
  readonly timestamp: RoleSettings;
  readonly snapshot: RoleSettings;
  readonly targets: RoleSettings & { targets: Record<string, string> };
  readonly delegations: DelegationSettings[] = [];

  constructor(
    readonly gun: string,
    readonly nowMs: number,
    keys: { root: TestKey[]; timestamp: TestKey[]; snapshot: TestKey[]; targets: TestKey[] },
  ) {
    const role = (roleKeys: TestKey[], days: number): RoleSettings => ({
      keys: roleKeys,
      threshold: 1,
      version: 1,
      expiresAtMs: nowMs + days * DAY_MS,
    });
    this.root = role(keys.root, 3650);
    this.timestamp = role(keys.timestamp, 14);
    this.snapshot = role(keys.snapshot, 1095);
    this.targets = { ...role(keys.targets, 1095), targets: {} };
  }

  /** Adds a delegation; `paths` default `[""]` (all paths, as `--all-paths`); `null` leaves the field out. */
  delegate(name: string, keys: TestKey[], targets: Record<string, string>, paths: string[] | null = ['']) {
    const settings: DelegationSettings = {
      name,
      keys,
      threshold: 1,
      version: 1,
      expiresAtMs: this.nowMs + 1095 * DAY_MS,
      targets,
      ...(paths ? { paths } : {}),
    };
    this.delegations.push(settings);
    return settings;
  }

  publish(): RepositoryFiles {
    const root = signEnvelope(this.root, {
      _type: 'Root',
      consistent_snapshot: false,
      keys: Object.fromEntries(
        [this.root, this.timestamp, this.snapshot, this.targets].flatMap((r) => r.keys).map((k) => [k.id, k.json]),
      ),
      roles: {
        root: roleEntry(this.root),
        timestamp: roleEntry(this.timestamp),
        snapshot: roleEntry(this.snapshot),
        targets: roleEntry(this.targets),
      },
    });
    const delegated: Record<string, Buffer> = {};
    // children before parents: a parent lists its children's keys, not their bytes, so any order works
    for (const delegation of this.delegations) {
      delegated[delegation.name] = signEnvelope(delegation, this.targetsBody(delegation.name, delegation.targets));
    }
    const targets = signEnvelope(this.targets, this.targetsBody('targets', this.targets.targets));
    const snapshot = signEnvelope(this.snapshot, {
      _type: 'Snapshot',
      meta: {
        root: fileMeta(root),
        targets: fileMeta(targets),
        ...Object.fromEntries(Object.entries(delegated).map(([name, bytes]) => [name, fileMeta(bytes)])),
      },
    });
    const timestamp = signEnvelope(this.timestamp, { _type: 'Timestamp', meta: { snapshot: fileMeta(snapshot) } });
    return { root, timestamp, snapshot, targets, delegated };
  }

  private targetsBody(role: string, targets: Record<string, string>): Record<string, unknown> {
    const children = this.delegations.filter((d) => d.name.slice(0, d.name.lastIndexOf('/')) === role);
    return {
      _type: 'Targets',
      delegations: {
        keys: Object.fromEntries(children.flatMap((d) => d.keys).map((k) => [k.id, k.json])),
        roles: children.map((d) => ({ ...roleEntry(d), name: d.name, ...(d.paths ? { paths: d.paths } : {}) })),
      },
      targets: Object.fromEntries(
        Object.entries(targets).map(([name, hex]) => [
          name,
          { hashes: { sha256: Buffer.from(hex, 'hex').toString('base64') }, length: 1000 },
        ]),
      ),
    };
  }
}

/** Verifies published files in the order the updater fetches them, loading every delegation. */
export function verifyRepository(
  files: RepositoryFiles,
  options: TrustedMetadataOptions,
): { trusted: TrustedMetadata; result: VerifiedTrust; outcomes: Record<string, 'loaded' | 'skipped'> } {
  const trusted = new TrustedMetadata(options);
  trusted.updateRoot(files.root);
  trusted.updateTimestamp(files.timestamp);
  trusted.updateSnapshot(files.snapshot);
  trusted.updateTargets(files.targets);
  const outcomes: Record<string, 'loaded' | 'skipped'> = {};
  for (let pending = trusted.delegationsToFetch(); pending.length > 0; pending = trusted.delegationsToFetch()) {
    for (const { role } of pending) outcomes[role] = trusted.updateDelegatedTargets(role, files.delegated[role]!);
  }
  return { trusted, result: trusted.result(), outcomes };
}

/** Rewrites a file's signed part without re-signing it (what an attacker without the keys can do). */
export function tamper(bytes: Buffer, edit: (signed: Record<string, unknown>) => void): Buffer {
  const envelope = JSON.parse(bytes.toString('utf8'));
  edit(envelope.signed);
  return Buffer.from(JSON.stringify(envelope));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function roleEntry(role: RoleSettings): { keyids: string[]; threshold: number } {
  return { keyids: role.keys.map((k) => k.id), threshold: role.threshold };
}

function signEnvelope(role: RoleSettings, body: Record<string, unknown>): Buffer {
  const signed: Record<string, unknown> = {
    ...body,
    expires: new Date(role.expiresAtMs).toISOString(),
    version: role.version,
  };
  role.edit?.(signed);
  const message = Buffer.from(canonicalJson(signed), 'utf8');
  const signatures = (role.signers ?? role.keys).map((key) => ({
    keyid: key.id,
    method: key.method,
    sig: signBytes(key, message),
  }));
  return Buffer.from(JSON.stringify({ signed, signatures }));
}

function fileMeta(bytes: Buffer): { hashes: { sha256: string; sha512: string }; length: number } {
  return {
    hashes: {
      sha256: createHash('sha256').update(bytes).digest('base64'),
      sha512: createHash('sha512').update(bytes).digest('base64'),
    },
    length: bytes.length,
  };
}
