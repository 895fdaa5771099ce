/** The resolved `notary:` section of a rule (shared/notary/module.ts builds it from the policy file). */
export interface NotarySettings {
  /** Base URL of a Notary v1 server, e.g. `https://notary.docker.io` (no trailing slash: the schema strips it). */
  readonly server: string;
  /** Extra CA certificates (PEM text) trusted for the server's TLS, besides the system store. */
  readonly ca: string | undefined;
  /** Pinned root public keys or certificates (PEM text). Empty: trust on first use of the first root seen. */
  readonly rootKeys: readonly string[];
  /** When set, only digests signed in these roles count (e.g. `targets/releases`). */
  readonly delegations: readonly string[] | undefined;
  /** Basic credentials for the token endpoint, from env variables or a Secrets Manager secret; absent: anonymous. */
  readonly auth: { username: string; password: string } | undefined;
  /**
   * Hosts (lower case) whose token realm may receive `auth`: the server's own host, plus the section's
   * `tokenRealmHosts`. Absent (no such list): the server's host only.
   */
  readonly tokenRealmHosts?: readonly string[];
}
