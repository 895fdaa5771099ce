/**
 * The policy: plain data, validated by `loadPolicy` (shared/policy/load.ts). Paths (caFile, rootKeys) are already
 * resolved to contents by the loader, relative to the policy file's folder.
 */
export type Mode = 'enforce' | 'audit';
export type Action = 'verify' | 'allow' | 'deny';

export interface NotarySettings {
  /** Base URL of a Notary v1 server, e.g. `https://notary.docker.io`. */
  readonly server: string;
  /** Extra CA certificates (PEM text) trusted for the server's TLS, besides the system store. */
  readonly ca: string | undefined;
  /** Pinned root public keys or certificates (PEM text). Empty: trust on first use of the first root seen. */
  readonly rootKeys: readonly string[];
  /** When set, only digests signed in these roles count (e.g. `targets/releases`). */
  readonly delegations: readonly string[] | undefined;
  /** Basic credentials for the token endpoint, from env variables or a Secrets Manager secret; absent: anonymous. */
  readonly auth: { username: string; password: string } | undefined;
}

export interface Rule {
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
  readonly notary: NotarySettings | undefined;
}

export interface Policy {
  readonly mode: Mode;
  readonly defaultAction: 'allow' | 'deny';
  readonly rules: readonly Rule[];
  /** Namespaces whose objects are admitted without checks (kube-system is usually excluded upstream too). */
  readonly exemptNamespaces: readonly string[];
  /** On UPDATE, skip images that were already in oldObject (default false: check every image). */
  readonly skipUnchangedImages: boolean;
  readonly cache: {
    /** How long verified trust data is used without asking Notary again. */
    readonly freshTtlSeconds: number;
    /** How long verified trust data may be used when Notary fails (never past the metadata's own expiry). */
    readonly maxStaleSeconds: number;
  };
}
