/**
 * Field names of the mutation record (one per `/mutate` admission), written by mutation-log.ts and read by the
 * saved query "pinned-images". The request fields (uid, operation, kind, namespace, name, user, dryRun,
 * durationMs) have the decision record's names (fields.ts), so one query can join both records on `uid`.
 */
export const MUTATION_LOG = {
  /** `filter event = "mutation"`: mutation records never match the decision queries' `event = "admission"`. */
  eventValue: 'mutation',
  /** Number of image fields pinned (0: answered without a patch). */
  pinnedCount: 'pinnedCount',
  /** Array of pins, see PIN_FIELDS. */
  pins: 'pins',
  /** Comma-separated images as pinned (`name:tag@sha256:…`), flat for Logs Insights. */
  pinnedImages: 'pinnedImages',
  /** Array of images left as written with a code and reason, see UNPINNED_FIELDS. */
  unpinned: 'unpinned',
  /**
   * `true` when the object carries `notary-gate.io/break-glass: "true"` (absent otherwise): with the break-glass
   * objectSelector on, the validating webhook never sees it, and this record is what tells (BreakGlassUsed alarm).
   */
  breakGlassLabel: 'breakGlassLabel',
  /** With breakGlassLabel: every image of the object as written, comma-separated (what went in unverified). */
  breakGlassImages: 'breakGlassImages',
} as const;

export const PIN_FIELDS = {
  path: 'path',
  image: 'image',
  pinned: 'pinned',
  digest: 'digest',
  format: 'format',
  source: 'source',
} as const;

export const UNPINNED_FIELDS = {
  path: 'path',
  image: 'image',
  code: 'code',
  reason: 'reason',
} as const;
