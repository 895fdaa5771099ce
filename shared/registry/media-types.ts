/**
 * The media types of the OCI image spec and of Docker's schema 2 that a registry client must know, and the
 * `Accept` lists it sends (distribution-spec "Pulling manifests": a client lists every type it understands).
 */
export const MEDIA_TYPE = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** OCI 1.1 release candidates' artifact manifest (`blobs[]` instead of `layers[]`); still found in registries. */
  ociArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

/** Image manifests and indexes, in the order a client prefers them. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPE.ociManifest,
  MEDIA_TYPE.ociIndex,
  MEDIA_TYPE.dockerManifest,
  MEDIA_TYPE.dockerManifestList,
];

/** Everything `resolve` accepts as a manifest (the four, plus the legacy artifact manifest signatures may use). */
const KNOWN_MANIFEST_TYPES: ReadonlySet<string> = new Set([...MANIFEST_MEDIA_TYPES, MEDIA_TYPE.ociArtifactManifest]);

export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

export function isManifestMediaType(mediaType: string): boolean {
  return KNOWN_MANIFEST_TYPES.has(mediaType);
}

/** An image index: OCI's, or Docker's manifest list (a multi-arch image). */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPE.ociIndex || mediaType === MEDIA_TYPE.dockerManifestList;
}

/** `application/json; charset=utf-8` -> `application/json`: parameters never tell manifest kinds apart. */
export function bareMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
