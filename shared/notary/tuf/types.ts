/**
 * Data produced by the TUF verification core (shared/notary/tuf). Everything here is plain, JSON-serializable data,
 * so that the cache can store a verified result and hand it back without re-verifying.
 */

/** Highest version seen per role: `root`, `timestamp`, `snapshot`, `targets`, `targets/releases`, ... */
export type RoleVersions = Record<string, number>;

/** What a parent role says about a file it points to (length and sha256), for size caps and checksum-named fetches. */
export interface ExpectedFile {
  /** Exact length in bytes, when recorded. Transports should refuse to read more than this. */
  readonly length?: number;
  /** Lowercase hex sha256, when recorded: the server also serves the file as `<role>.<sha256Hex>.json`. */
  readonly sha256Hex?: string;
}

/** A delegated role that the snapshot lists and whose parent is loaded: the updater fetches it next. */
export interface DelegationToFetch extends ExpectedFile {
  readonly role: string;
}

/** One signed target: the digest of the image manifest a tag points to. */
export interface SignedTarget {
  /** `sha256:` + lowercase hex. */
  readonly digest: string;
  readonly length: number;
}

/** The targets one role signed, after path restrictions were applied. */
export interface RoleTargets {
  readonly role: string;
  readonly targets: Record<string /* tag */, SignedTarget>;
}

/** The verified outcome of one repository's trust data, as the cache keeps it. */
export interface VerifiedTrust {
  /** Globally unique name of the repository (the normalized image name). */
  readonly gun: string;
  /** `targets` first, then delegations in the order they were loaded. */
  readonly roles: RoleTargets[];
  readonly versions: RoleVersions;
  /** Earliest `expires` of all metadata used (epoch ms): the verified data must not be used after this. */
  readonly expiresAtMs: number;
  /** Base64 of the trusted root bytes, kept for trust on first use and key rotation. */
  readonly root: string;
  readonly rootVersion: number;
  /** Delegations that were left out (expired, under threshold, invalid), with a reason a person can read. */
  readonly skippedRoles: Array<{ role: string; reason: string }>;
}
