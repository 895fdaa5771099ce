/**
 * Field names of the decision log record (one per admission). The logger writes them and the saved
 * CloudWatch Logs Insights queries (infra) read them: both import from here, and a test proves every field a
 * query reads is written.
 */
export const DECISION_LOG = {
  /** Constant marker so queries can filter decision records: `filter event = "admission"`. */
  event: 'event',
  eventValue: 'admission',
  uid: 'uid',
  operation: 'operation',
  kind: 'kind',
  namespace: 'namespace',
  name: 'name',
  user: 'user',
  /** allow | deny | audit-deny */
  decision: 'decision',
  mode: 'mode',
  dryRun: 'dryRun',
  durationMs: 'durationMs',
  /** Array of per-image records, see IMAGE_FIELDS. */
  images: 'images',
  /** Comma-separated codes of denied images, flat so that Logs Insights can filter and count them. */
  deniedCodes: 'deniedCodes',
  /** Comma-separated denied image references, flat for queries. */
  deniedImages: 'deniedImages',
  /** First denial reason, flat for queries. */
  reason: 'reason',
} as const;

export const IMAGE_FIELDS = {
  image: 'image',
  name: 'name',
  digest: 'digest',
  path: 'path',
  allowed: 'allowed',
  code: 'code',
  reason: 'reason',
  /** memory | dynamodb | origin | stale */
  source: 'source',
  /** The signature format that decided (`notary-v1`, `notation`, `notary-v1+notation`); absent when none ran. */
  format: 'format',
  /** What the format only logged (allowed with warnings); absent when none. */
  warnings: 'warnings',
  /** When the rule names several formats: each format's {format, allowed, code, reason, source, signature}. */
  formats: 'formats',
  /** The signature that admitted the image (Notation): {digest, signer, chainSha256}; absent otherwise. */
  signature: 'signature',
  /** The signed image index that listed the image's digest (Notary v1 multi-arch); absent otherwise. */
  viaIndex: 'viaIndex',
} as const;

/** The admission's decision, as logged: allow | deny | audit-deny. */
export type { Decision } from '../decision/types';
