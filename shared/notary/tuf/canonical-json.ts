import { TrustError } from '../../errors';

/**
 * Canonical JSON exactly as notary signs it: github.com/docker/go/canonical/json `MarshalCanonical` applied to the
 * `signed` object after Go's `json.Unmarshal` into `map[string]interface{}` (tuf/signed/verify.go). The signature
 * covers these bytes, so every rule below mirrors that encoder, not RFC 8785 or OLPC canonical JSON:
 * - object keys sorted by their UTF-8 bytes (Go sorts map keys as byte strings), no whitespace anywhere;
 * - strings: only `\` and `"` are escaped (as `\\` and `\"`); every other character, including control
 *   characters, `<`, `>`, `&`, U+2028/U+2029 and all non-ASCII text, is written as raw UTF-8;
 * - numbers arrive as float64 (Go and JS agree): integers print as plain decimal digits (Go's `int64(f)`),
 *   anything with a fraction, NaN, infinities, or beyond int64 cannot be encoded and makes the metadata invalid.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  encode(value, parts, 0);
  return parts.join('');
}

/** The bytes a notary signature is over: canonical JSON of `signed`, as UTF-8. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

const INT64_LIMIT = 2 ** 63;
/** Notary metadata nests about six levels; refuse hostile nesting before it exhausts the stack. */
const MAX_DEPTH = 64;

function encode(value: unknown, out: string[], depth: number): void {
  if (depth > MAX_DEPTH)
    throw new TrustError('NOTARY_ERROR', `canonical JSON refuses nesting deeper than ${MAX_DEPTH}`);
  if (value === null) {
    out.push('null');
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (typeof value === 'string') {
    out.push(encodeString(value));
  } else if (typeof value === 'number') {
    out.push(encodeNumber(value));
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, index) => {
      if (index > 0) out.push(',');
      encode(item, out, depth + 1);
    });
    out.push(']');
  } else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    out.push('{');
    sortedKeys(record).forEach((key, index) => {
      if (index > 0) out.push(',');
      out.push(encodeString(key), ':');
      encode(record[key], out, depth + 1);
    });
    out.push('}');
  } else {
    throw new TrustError('NOTARY_ERROR', `canonical JSON cannot encode a value of type ${typeof value}`);
  }
}

function encodeString(text: string): string {
  return `"${wellFormed(text).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Go decodes an unpaired surrogate escape (`\ud800`) to U+FFFD; JSON.parse keeps it, so replace it the same way. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function encodeNumber(n: number): string {
  // docker/go canonical json refuses non-integral floats; Go's int64 conversion is undefined past int64.
  if (!Number.isInteger(n) || Math.abs(n) >= INT64_LIMIT) {
    throw new TrustError('NOTARY_ERROR', `canonical JSON allows only integers, got ${n}`);
  }
  // BigInt prints every integral float64 exactly (1e21 as digits, not exponent form), like Go's AppendInt.
  return BigInt(n).toString();
}

/**
 * Keys in UTF-8 byte order. JS compares UTF-16 code units, which orders astral characters before U+E000..U+FFFF;
 * comparing code points gives the same order as comparing UTF-8 bytes.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  return Object.keys(record).sort(compareCodePoints);
}

function compareCodePoints(a: string, b: string): number {
  const left = wellFormed(a)[Symbol.iterator]();
  const right = wellFormed(b)[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}
