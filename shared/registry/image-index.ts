/**
 * Image indexes (OCI index, Docker manifest list) and referrers listings, which share the shape
 * `{ manifests: [descriptor…] }`. Pure parsing: bytes in, descriptors out; an entry that is not a valid
 * descriptor is dropped, never guessed at.
 */
import { TrustError } from '../errors';
import { type Descriptor, parseDescriptor } from './descriptor';

/** The entries of an index document, or a REGISTRY_ERROR naming `what` when it is not one. */
export function parseIndexManifests(bytes: Uint8Array, what: string): Descriptor[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new TrustError('REGISTRY_ERROR', `${what} is not JSON.`, { cause: error });
  }
  const manifests = (parsed as { manifests?: unknown } | null)?.manifests;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(manifests)) {
    throw new TrustError('REGISTRY_ERROR', `${what} is not an image index (no manifests list).`);
  }
  return manifests.map(parseDescriptor).filter((entry): entry is Descriptor => entry !== undefined);
}

/** The `mediaType` a manifest document declares about itself, if any (it must agree with its descriptor). */
export function declaredMediaType(bytes: Uint8Array): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as { mediaType?: unknown } | null;
    return typeof parsed?.mediaType === 'string' ? parsed.mediaType : undefined;
  } catch {
    return undefined;
  }
}

/** The `rel="next"` target of an RFC 8288 `Link` header, resolved against the request URL. */
export function nextLink(header: string | undefined, base: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel="?next"?(\s|;|$)/i.test(match[2] ?? '')) {
      try {
        return new URL(match[1] ?? '', base).href;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The referrers tag schema (distribution-spec): `sha256:abc…` -> `sha256-abc…`. */
export function referrersTag(digest: string): string {
  const [algorithm = '', hex = ''] = digest.split(':');
  return `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`.replace(/[^A-Za-z0-9_.-]/g, '-');
}
