import { createHash } from 'node:crypto';

/**
 * The one shape of a trust cache key: `<format>#<scope>#<subject>#<settings fingerprint>`, e.g.
 * `notary-v1#https://notary.example.com#docker.io/library/alpine#tofu`. The format keeps formats apart, the scope is
 * where the data comes from (a Notary server, a registry), the subject what it is about (a repository, a digest), and
 * the fingerprint the trust settings the data was verified under (pinned keys, trust policy statement, trust store),
 * so that data verified under one setting never satisfies a rule with another.
 *
 * `#` and `%` inside a part are percent-encoded, so no two different tuples share a key (a part holding `#` cannot
 * shift the others). Normalize each part before (host case, trailing slashes): one identity per thing.
 */
export function cacheKey(format: string, scope: string, subject: string, settingsFingerprint: string): string {
  return [format, scope, subject, settingsFingerprint].map(escapePart).join('#');
}

function escapePart(part: string): string {
  return part.replace(/[%#]/g, (char) => (char === '%' ? '%25' : '%23'));
}

/**
 * A settings fingerprint from texts whose order does not matter (a set of pinned keys, of trust store
 * certificates): sha256 of the sorted, trimmed texts, 32 hex characters (128 bits: collisions are out of reach).
 * An empty set is `empty`.
 */
export function fingerprintOfSet(texts: readonly string[]): string {
  if (texts.length === 0) return 'empty';
  const sorted = texts.map((text) => text.trim()).sort();
  return createHash('sha256').update(sorted.join('\n')).digest('hex').slice(0, 32);
}

/** A settings fingerprint of structured data: sha256 of its JSON with object keys sorted, 32 hex characters. */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 32);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
