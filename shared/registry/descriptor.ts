/**
 * OCI content descriptors and digests: the one identity of a manifest or blob (`{mediaType, digest, size}`), what
 * Notation signs and compares byte for byte. Pure: parsing, validation, hashing.
 */
import { createHash } from 'node:crypto';

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly osVersion?: string;
}

export interface Descriptor {
  readonly mediaType: string;
  /** `sha256:<64 hex>` or `sha512:<128 hex>`, lower case. */
  readonly digest: string;
  readonly size: number;
  /** On referrers: the artifact type of the referring manifest (`application/vnd.cncf.notary.signature`). */
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** On the entries of an image index. */
  readonly platform?: Platform;
}

/** The digest algorithms the OCI image spec registers; anything else cannot be checked, so it is refused. */
const DIGEST_PATTERN = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(value: string): boolean {
  return DIGEST_PATTERN.test(value);
}

/** The digest of bytes, in the algorithm of `like` (sha256 unless it names sha512). */
export function digestOf(bytes: Uint8Array, like = 'sha256:'): string {
  const algorithm = like.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Whether bytes are exactly the content a digest names. */
export function matchesDigest(bytes: Uint8Array, digest: string): boolean {
  return isDigest(digest) && digestOf(bytes, digest) === digest;
}

/**
 * A descriptor read from JSON (an index's `manifests[]`, a manifest's `layers[]`): undefined when a required field
 * is missing or malformed, so one bad entry never stands for a good one.
 */
export function parseDescriptor(value: unknown): Descriptor | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const { mediaType, digest, size } = record;
  if (typeof mediaType !== 'string' || mediaType === '') return undefined;
  if (typeof digest !== 'string' || !isDigest(digest)) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  const descriptor: { -readonly [K in keyof Descriptor]: Descriptor[K] } = { mediaType, digest, size };
  if (typeof record.artifactType === 'string') descriptor.artifactType = record.artifactType;
  const annotations = stringRecord(record.annotations);
  if (annotations) descriptor.annotations = annotations;
  const platform = parsePlatform(record.platform);
  if (platform) descriptor.platform = platform;
  return descriptor;
}

function parsePlatform(value: unknown): Platform | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.architecture !== 'string' || typeof record.os !== 'string') return undefined;
  return {
    architecture: record.architecture,
    os: record.os,
    ...(typeof record.variant === 'string' && { variant: record.variant }),
    ...(typeof record['os.version'] === 'string' && { osVersion: record['os.version'] }),
  };
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return Object.fromEntries(entries);
}

/** `linux/arm64/v8`: how people write a platform. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}
