/**
 * The policy's defaults: here and nowhere else (the schema applies them; the runtime's fallbacks read them). No
 * imports, so that any module may read them without an import cycle through the schema and the format modules.
 */
export const POLICY_DEFAULTS = {
  mode: 'enforce',
  defaultAction: 'deny',
  action: 'verify',
  requireDigest: true,
  mutateDigest: true,
  /** How the formats a rule names combine: every one must verify. */
  require: 'all',
  skipUnchangedImages: false,
  exemptNamespaces: [] as string[],
  freshTtlSeconds: 300,
  maxStaleSeconds: 3600,
} as const;
