/**
 * JWS envelopes (signature-specification.md, "JWS"; RFC 7515 7.2.2): only the flattened JSON serialization, with
 * the Notation headers in the protected header and x5c / the timestamp in the unprotected `header`. The signature is
 * over ASCII(protected "." payload).
 */
import { Buffer } from 'node:buffer';
import { HEADER, MEDIA_TYPE } from '../media-types';
import { MAX_CHAIN_LENGTH } from '../x509/chain';
import { checkProtectedHeaders } from './headers';
import { type EnvelopeContent, EnvelopeError } from './types';

const TOP_LEVEL_KEYS = new Set(['payload', 'protected', 'header', 'signature']);
/** Headers the verifier reads itself; every other protected key is an extended attribute. */
const STANDARD_KEYS = new Set([
  'alg',
  'cty',
  'crit',
  HEADER.signingScheme,
  HEADER.signingTime,
  HEADER.authenticSigningTime,
  HEADER.expiry,
]);
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** RFC 3339 date-time (what Go's time.Time accepts in JSON), with a zone. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function b64url(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64URL.test(value) || value.length % 4 === 1) {
    throw new EnvelopeError(`JWS "${field}" is not non-empty unpadded base64url`);
  }
  return Buffer.from(value, 'base64url');
}

function b64std(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string' || value.length === 0 || !BASE64.test(value)) {
    throw new EnvelopeError(`JWS ${field} is not standard base64`);
  }
  return Buffer.from(value, 'base64');
}

function jsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new EnvelopeError(`${what} is not UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new EnvelopeError(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function time(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const m = typeof value === 'string' ? RFC3339.exec(value) : null;
  const ms = m ? Date.parse(value as string) : Number.NaN;
  // Date.parse rolls over impossible dates on some engines; the day must survive the round trip.
  if (!m || !Number.isFinite(ms) || Number(m[2]) > 12 || Number(m[3]) > 31 || Number(m[4]) > 23) {
    throw new EnvelopeError(`${name} is not an RFC 3339 time`);
  }
  return ms;
}

export function parseJws(bytes: Uint8Array): EnvelopeContent {
  const top = jsonObject(bytes, 'the JWS envelope');
  if ('signatures' in top) throw new EnvelopeError('JWS general JSON serialization is not supported (use flattened)');
  for (const key of Object.keys(top)) {
    if (!TOP_LEVEL_KEYS.has(key)) throw new EnvelopeError(`JWS envelope has unexpected member "${key}"`);
  }
  const protectedB64 = top.protected;
  const payloadB64 = top.payload;
  const protectedBytes = b64url(protectedB64, 'protected');
  const payload = b64url(payloadB64, 'payload');
  const signature = b64url(top.signature, 'signature');
  const header = top.header;
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new EnvelopeError('JWS unprotected "header" is missing');
  }
  const unprotected = header as Record<string, unknown>;
  const x5c = unprotected.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0) throw new EnvelopeError('JWS header "x5c" is missing or empty');
  if (x5c.length > MAX_CHAIN_LENGTH)
    throw new EnvelopeError(`JWS "x5c" has more than ${MAX_CHAIN_LENGTH} certificates`);
  const certsDer = x5c.map((c, i) => b64std(c, `x5c[${i}]`));
  const tsa = unprotected[HEADER.timestampSignature];
  const timestampToken = tsa === undefined ? undefined : b64std(tsa, HEADER.timestampSignature);
  const agent = unprotected[HEADER.signingAgent];
  if (agent !== undefined && typeof agent !== 'string')
    throw new EnvelopeError(`${HEADER.signingAgent} is not a string`);

  const ph = jsonObject(protectedBytes, 'the JWS protected header');
  const extended = new Map<string, unknown>();
  for (const [key, value] of Object.entries(ph)) if (!STANDARD_KEYS.has(key)) extended.set(key, value);
  const checked = checkProtectedHeaders({
    alg: ph.alg,
    contentType: ph.cty,
    crit: ph.crit,
    signingScheme: ph[HEADER.signingScheme],
    signingTimeMs: time(ph[HEADER.signingTime], HEADER.signingTime),
    authenticSigningTimeMs: time(ph[HEADER.authenticSigningTime], HEADER.authenticSigningTime),
    expiryMs: time(ph[HEADER.expiry], HEADER.expiry),
    present: new Set(Object.keys(ph)),
    extended,
  });
  return {
    mediaType: MEDIA_TYPE.jws,
    payload,
    ...checked,
    certsDer,
    signature,
    signedBytes: Buffer.from(`${protectedB64}.${payloadB64}`, 'ascii'),
    pssSalt: 'auto',
    timestampToken,
    signingAgent: agent,
  };
}
