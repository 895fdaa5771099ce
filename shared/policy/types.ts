import type { RegistriesConfig } from '../registry/settings';
import type { FormatSections } from '../verify/format';

/**
 * The policy: plain data, validated by `loadPolicy` (shared/policy/load.ts). Paths named by format sections are
 * already resolved to contents by the loader, relative to the policy file's folder.
 */
export type Mode = 'enforce' | 'audit';
export type Action = 'verify' | 'allow' | 'deny';
/** How the formats a rule names combine: `all` must verify (the default), or `any` one of them. */
export type Require = 'all' | 'any';

/** Where the Notary client reads its settings' type; the type itself belongs to the Notary format module. */
export type { NotarySettings } from '../notary/settings';

/**
 * A rule: the base fields, and one resolved section per signature format it names (`notary`, ...), typed by each
 * format module through `FormatSections` (shared/verify/format.ts).
 */
export interface Rule extends Partial<FormatSections> {
  /** Globs on the normalized name: `*` within one path segment, `**` across segments. */
  readonly match: readonly string[];
  readonly action: Action;
  readonly requireDigest: boolean;
  /**
   * Whether `/mutate` may pin this rule's tag-only images to their verified digest: anything but false means yes
   * (the loader always sets it, default true; optional so that rules built in code need not name it).
   */
  readonly mutateDigest?: boolean;
  /** Overrides the global mode for images this rule matches (roll out one registry at a time). */
  readonly mode: Mode | undefined;
  /** How the rule's formats combine; the loader always sets it (absent, as in hand-built rules: `all`). */
  readonly require?: Require;
}

export interface Policy {
  readonly mode: Mode;
  readonly defaultAction: 'allow' | 'deny';
  readonly rules: readonly Rule[];
  /** Namespaces whose objects are admitted without checks (kube-system is usually excluded upstream too). */
  readonly exemptNamespaces: readonly string[];
  /** On UPDATE, skip images that were already in oldObject (default false: check every image). */
  readonly skipUnchangedImages: boolean;
  /**
   * How to reach OCI registries, by host (the top-level `registries:` section, resolved; shared/registry/settings.ts).
   * Absent or empty: every registry over https with the system CAs, anonymous or ECR auth.
   */
  readonly registries?: RegistriesConfig;
  readonly cache: {
    /** How long verified trust data is used without asking the origin again. */
    readonly freshTtlSeconds: number;
    /** How long verified trust data may be used when the origin fails (never past the data's own expiry). */
    readonly maxStaleSeconds: number;
  };
}
