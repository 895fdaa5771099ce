// A namespace import, not `{ z }`: esbuild then keeps only the zod parts used (without it, every locale: +360 KiB).
import * as z from 'zod';
import { TrustError } from '../../errors';

/**
 * Shapes of notary's TUF metadata (tuf/data/{root,timestamp,snapshot,targets}.go) and a parser that turns raw
 * response bytes into them. Structure only: signatures, hashes, versions and expiry are checked by the caller.
 * Anything malformed is NOTARY_ERROR: the server (or something in between) answered what notary never writes.
 */

const keySchema = z.object({ keytype: z.string(), keyval: z.object({ public: z.string() }) });
const fileMetaSchema = z.object({
  length: z.number().int().nonnegative(),
  hashes: z.record(z.string(), z.string()),
});
const commonSchema = {
  version: z.number().int().nonnegative(),
  expires: z.string(),
};

export const rootSchema = z.object({
  _type: z.literal('Root'),
  ...commonSchema,
  keys: z.record(z.string(), keySchema),
  roles: z.record(z.string(), z.object({ keyids: z.array(z.string()), threshold: z.number().int() })),
});

export const timestampSchema = z.object({
  _type: z.literal('Timestamp'),
  ...commonSchema,
  meta: z.record(z.string(), fileMetaSchema),
});

export const snapshotSchema = z.object({
  _type: z.literal('Snapshot'),
  ...commonSchema,
  meta: z.record(z.string(), fileMetaSchema),
});

export const delegationRoleSchema = z.object({
  name: z.string(),
  keyids: z.array(z.string()),
  threshold: z.number().int(),
  paths: z.array(z.string()).optional(),
});

export const targetsSchema = z.object({
  _type: z.literal('Targets'),
  ...commonSchema,
  targets: z.record(z.string(), fileMetaSchema).nullish(),
  delegations: z
    .object({ keys: z.record(z.string(), keySchema).nullish(), roles: z.array(delegationRoleSchema).nullish() })
    .nullish(),
});

const signatureSchema = z.object({ keyid: z.string(), method: z.string(), sig: z.string() });
const envelopeSchema = z.object({
  signed: z.record(z.string(), z.unknown()),
  signatures: z.array(signatureSchema).nullish(),
});

export type RootSigned = z.infer<typeof rootSchema>;
export type TimestampSigned = z.infer<typeof timestampSchema>;
export type SnapshotSigned = z.infer<typeof snapshotSchema>;
export type TargetsSigned = z.infer<typeof targetsSchema>;
export type DelegationRoleJson = z.infer<typeof delegationRoleSchema>;
export type FileMeta = z.infer<typeof fileMetaSchema>;
export type SignatureJson = z.infer<typeof signatureSchema>;

/** One metadata file: the raw `signed` object (what the signatures cover), its typed view, and the signatures. */
export interface Envelope<T> {
  /** Exactly as parsed, for canonical JSON: the typed view drops fields notary may add. */
  readonly rawSigned: Record<string, unknown>;
  readonly signed: T;
  readonly signatures: readonly SignatureJson[];
  /** `expires` as epoch ms. */
  readonly expiresAtMs: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses response bytes as `{signed, signatures}` and checks `signed` against the role's schema. */
export function parseEnvelope<T extends { expires: string }>(
  role: string,
  bytes: Uint8Array,
  schema: z.ZodType<T>,
): Envelope<T> {
  let json: unknown;
  try {
    // invalid UTF-8 is refused rather than replaced: Go and JS would replace it differently
    json = JSON.parse(utf8.decode(bytes));
  } catch (cause) {
    throw new TrustError('NOTARY_ERROR', `${role} metadata is not valid JSON`, { cause });
  }
  const envelope = check(role, envelopeSchema, json);
  const signed = check(role, schema, envelope.signed);
  return {
    // The signatures cover `signed` exactly as parsed from the bytes, never the schema library's copy: zod rebuilds
    // records by assignment, which turns an own `"__proto__"` member into a prototype and so drops it from the
    // canonical form, letting unsigned content ride along under a valid signature.
    rawSigned: (json as { signed: Record<string, unknown> }).signed,
    signed,
    signatures: envelope.signatures ?? [],
    expiresAtMs: parseRfc3339(role, signed.expires),
  };
}

function check<T>(role: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new TrustError('NOTARY_ERROR', `${role} metadata is malformed${where}: ${issue?.message ?? 'invalid'}`);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Go's time.Time JSON form (RFC 3339, optional nanoseconds, `Z` or an offset) as epoch ms, fraction truncated. */
export function parseRfc3339(role: string, text: string): number {
  const m = RFC3339.exec(text);
  if (!m) throw new TrustError('NOTARY_ERROR', `${role} metadata has an unreadable expiry "${text}"`);
  const [, year, month, day, hour, minute, second, fraction = '', , sign, offsetHours, offsetMinutes] = m;
  const utcMs = Date.UTC(+year!, +month! - 1, +day!, +hour!, +minute!, +second!, +fraction.padEnd(3, '0').slice(0, 3));
  const offsetMs = sign ? (sign === '-' ? -1 : 1) * (+offsetHours! * 60 + +offsetMinutes!) * 60_000 : 0;
  return utcMs - offsetMs;
}
