/** Media types and header names of the Notary Project signature specification. */
export const MEDIA_TYPE = {
  jws: 'application/jose+json',
  cose: 'application/cose',
  payload: 'application/vnd.cncf.notary.payload.v1+json',
  signatureArtifact: 'application/vnd.cncf.notary.signature',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

export type EnvelopeMediaType = typeof MEDIA_TYPE.jws | typeof MEDIA_TYPE.cose;

/** Protected-header names shared by JWS (as keys) and COSE (as text labels). */
export const HEADER = {
  signingScheme: 'io.cncf.notary.signingScheme',
  signingTime: 'io.cncf.notary.signingTime',
  authenticSigningTime: 'io.cncf.notary.authenticSigningTime',
  expiry: 'io.cncf.notary.expiry',
  verificationPlugin: 'io.cncf.notary.verificationPlugin',
  verificationPluginMinVersion: 'io.cncf.notary.verificationPluginMinVersion',
  timestampSignature: 'io.cncf.notary.timestampSignature',
  signingAgent: 'io.cncf.notary.signingAgent',
} as const;

/** Annotation notation writes on signature manifests: a JSON list of the chain's SHA-256 thumbprints. */
export const THUMBPRINT_ANNOTATION = 'io.cncf.notary.x509chain.thumbprint#S256';
