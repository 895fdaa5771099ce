/**
 * How a StoredItem is laid out as a DynamoDB item, and back. The partition key and the TTL attribute come from
 * shared/constants.ts, the same names the CDK table declares.
 *
 *   pk          S  the cache key
 *   expiresAt   N  DynamoDB TTL, epoch SECONDS, rounded up so DynamoDB never deletes an item before it expires
 *   expiresAtMs N  the exact expiry, checked on every read (DynamoDB deletes expired items up to days late)
 *   storedAtMs  N  when the item was written
 *   version     N  only on monotonic items (roots, role versions)
 *   value       S  the value as compact JSON
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CACHE_TABLE_SCHEMA } from '../constants';
import type { StoredItem } from './types';

export const ATTR = {
  key: CACHE_TABLE_SCHEMA.partitionKey,
  ttlSeconds: CACHE_TABLE_SCHEMA.ttlAttribute,
  expiresAtMs: 'expiresAtMs',
  storedAtMs: 'storedAtMs',
  version: 'version',
  value: 'value',
} as const;

/**
 * DynamoDB refuses items over 400 KB (names and values counted). We stop well short, so that an estimate that is
 * a little off can never turn into a failed write on the admission path.
 */
export const MAX_ITEM_BYTES = 350 * 1024;

export type DynamoItem = Record<string, AttributeValue>;

export type EncodeResult = { ok: true; item: DynamoItem; bytes: number } | { ok: false; reason: string; bytes: number };

export function encodeItem<T>(key: string, item: StoredItem<T>): EncodeResult {
  const json = JSON.stringify(item.value);
  if (json === undefined) return { ok: false, reason: 'value is not JSON', bytes: 0 };
  const encoded: DynamoItem = {
    [ATTR.key]: { S: key },
    [ATTR.ttlSeconds]: { N: String(ttlSeconds(item.expiresAtMs)) },
    [ATTR.expiresAtMs]: { N: String(item.expiresAtMs) },
    [ATTR.storedAtMs]: { N: String(item.storedAtMs) },
    [ATTR.value]: { S: json },
  };
  if (item.version !== undefined) encoded[ATTR.version] = { N: String(item.version) };
  const bytes = estimateItemBytes(encoded);
  if (bytes > MAX_ITEM_BYTES) return { ok: false, reason: 'item too large', bytes };
  return { ok: true, item: encoded, bytes };
}

/** The item, or undefined when it is malformed (written by something else, or truncated): a miss, never a throw. */
export function decodeItem<T>(raw: DynamoItem): StoredItem<T> | undefined {
  const json = raw[ATTR.value]?.S;
  const expiresAtMs = numberAttr(raw[ATTR.expiresAtMs]) ?? secondsToMs(numberAttr(raw[ATTR.ttlSeconds]));
  const storedAtMs = numberAttr(raw[ATTR.storedAtMs]);
  if (json === undefined || expiresAtMs === undefined || storedAtMs === undefined) return undefined;
  let value: T;
  try {
    value = JSON.parse(json) as T;
  } catch {
    return undefined;
  }
  const version = numberAttr(raw[ATTR.version]);
  return version === undefined ? { value, expiresAtMs, storedAtMs } : { value, expiresAtMs, storedAtMs, version };
}

/** DynamoDB TTL is whole epoch seconds; round up so the item outlives its exact expiry, never the reverse. */
export function ttlSeconds(expiresAtMs: number): number {
  return Math.ceil(expiresAtMs / 1000);
}

/** DynamoDB's own rule: attribute names plus values, numbers at most ~21 bytes. A slight over-estimate. */
function estimateItemBytes(item: DynamoItem): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    if (value.S !== undefined) bytes += Buffer.byteLength(value.S);
    else if (value.N !== undefined) bytes += 21;
  }
  return bytes;
}

function numberAttr(attr: AttributeValue | undefined): number | undefined {
  if (attr?.N === undefined) return undefined;
  const n = Number(attr.N);
  return Number.isFinite(n) ? n : undefined;
}

function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
}
