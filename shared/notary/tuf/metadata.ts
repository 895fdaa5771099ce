import { TrustError } from '../../errors';
import {
  arrayOf,
  integer,
  literal,
  MalformedValue,
  nullish,
  objectOf,
  optional,
  recordOf,
  type Shape,
  string,
  unknownRecord,
} from './shape';

/**
 * Shapes of notary's TUF metadata (tuf/data/{root,timestamp,snapshot,targets}.go) and a parser that turns raw
 * response bytes into them. Structure only: signatures, hashes, versions and expiry are checked by the caller.
 * Anything malformed is NOTARY_ERROR: the server (or something in between) answered what notary never writes.
 * The shapes are checked by ./shape.ts rather than a schema library: every cold verification parses four to
 * sixty-odd files, and a one-shot `notary-gate check` paid several milliseconds building and first running zod
 * schemas for them (docs/performance.md, CLI startup).
 */

export interface KeyJson {
  readonly keytype: string;
  readonly keyval: { readonly public: string };
}
export interface FileMeta {
  readonly length: number;
  readonly hashes: Record<string, string>;
}
/** What every role's `signed` carries: its type, version and expiry. */
interface SignedCommon<Type extends string> {
  readonly _type: Type;
  readonly version: number;
  readonly expires: string;
}
export interface RootSigned extends SignedCommon<'Root'> {
  readonly keys: Record<string, KeyJson>;
  readonly roles: Record<string, { readonly keyids: string[]; readonly threshold: number }>;
}
/** Timestamp and snapshot: the files they vouch for, by name. */
export interface TimestampSigned extends SignedCommon<'Timestamp'> {
  readonly meta: Record<string, FileMeta>;
}
export interface SnapshotSigned extends SignedCommon<'Snapshot'> {
  readonly meta: Record<string, FileMeta>;
}
export interface DelegationRoleJson {
  readonly name: string;
  readonly keyids: string[];
  readonly threshold: number;
  readonly paths?: string[];
}
export interface TargetsSigned extends SignedCommon<'Targets'> {
  readonly targets?: Record<string, FileMeta> | null;
  readonly delegations?: {
    readonly keys?: Record<string, KeyJson> | null;
    readonly roles?: DelegationRoleJson[] | null;
  } | null;
}
export interface SignatureJson {
  readonly keyid: string;
  readonly method: string;
  readonly sig: string;
}

const nonNegative = integer({ min: 0 });
const keyShape: Shape<KeyJson> = objectOf({ keytype: string, keyval: objectOf({ public: string }) });
const fileMetaShape: Shape<FileMeta> = objectOf({ length: nonNegative, hashes: recordOf(string) });

export const rootSchema: Shape<RootSigned> = objectOf({
  _type: literal('Root'),
  version: nonNegative,
  expires: string,
  keys: recordOf(keyShape),
  roles: recordOf(objectOf({ keyids: arrayOf(string), threshold: integer() })),
});

export const timestampSchema: Shape<TimestampSigned> = objectOf({
  _type: literal('Timestamp'),
  version: nonNegative,
  expires: string,
  meta: recordOf(fileMetaShape),
});

export const snapshotSchema: Shape<SnapshotSigned> = objectOf({
  _type: literal('Snapshot'),
  version: nonNegative,
  expires: string,
  meta: recordOf(fileMetaShape),
});

export const delegationRoleSchema: Shape<DelegationRoleJson> = objectOf({
  name: string,
  keyids: arrayOf(string),
  threshold: integer(),
  paths: optional(arrayOf(string)),
});

export const targetsSchema: Shape<TargetsSigned> = objectOf({
  _type: literal('Targets'),
  version: nonNegative,
  expires: string,
  targets: nullish(recordOf(fileMetaShape)),
  delegations: nullish(objectOf({ keys: nullish(recordOf(keyShape)), roles: nullish(arrayOf(delegationRoleSchema)) })),
});

const signatureShape: Shape<SignatureJson> = objectOf({ keyid: string, method: string, sig: string });
const envelopeShape = objectOf({ signed: unknownRecord, signatures: nullish(arrayOf(signatureShape)) });

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
  schema: Shape<T>,
): Envelope<T> {
  let json: unknown;
  try {
    // invalid UTF-8 is refused rather than replaced: Go and JS would replace it differently
    json = JSON.parse(utf8.decode(bytes));
  } catch (cause) {
    throw new TrustError('NOTARY_ERROR', `${role} metadata is not valid JSON`, { cause });
  }
  const envelope = check(role, envelopeShape, json);
  const signed = check(role, schema, envelope.signed);
  return {
    // The signatures cover `signed` exactly as parsed from the bytes, never the typed copy, which holds only the
    // fields notary defines (a member it does not know must still be covered by the canonical form).
    rawSigned: (json as { signed: Record<string, unknown> }).signed,
    signed,
    signatures: envelope.signatures ?? [],
    expiresAtMs: parseRfc3339(role, signed.expires),
  };
}

function check<T>(role: string, shape: Shape<T>, value: unknown): T {
  try {
    return shape(value, []);
  } catch (error) {
    if (!(error instanceof MalformedValue)) throw error;
    const where = error.path.length ? ` at ${error.path.join('.')}` : '';
    throw new TrustError('NOTARY_ERROR', `${role} metadata is malformed${where}: ${error.message}`);
  }
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
