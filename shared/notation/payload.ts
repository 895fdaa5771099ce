/**
 * The signed payload (signature-specification.md, "Payload"): `{"targetArtifact": <OCI descriptor>}`. The binding
 * of a signature to an image is this descriptor, compared with the resolved one by media type, digest and size
 * (oras content.Equal), never the signature manifest's `subject`.
 */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface TargetArtifact extends Descriptor {
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
}

/** OCI image-spec digest grammar: algorithm ":" encoded. */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class PayloadError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parsePayload(bytes: Uint8Array): TargetArtifact {
  let doc: unknown;
  try {
    doc = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new PayloadError('the signed payload is not UTF-8 JSON');
  }
  if (!isObject(doc) || !isObject(doc.targetArtifact))
    throw new PayloadError('the signed payload lacks "targetArtifact"');
  const t = doc.targetArtifact;
  if (typeof t.mediaType !== 'string' || t.mediaType === '')
    throw new PayloadError('targetArtifact.mediaType is missing');
  if (typeof t.digest !== 'string' || !DIGEST.test(t.digest))
    throw new PayloadError('targetArtifact.digest is not a digest');
  if (typeof t.size !== 'number' || !Number.isSafeInteger(t.size) || t.size < 0) {
    throw new PayloadError('targetArtifact.size is not a non-negative integer');
  }
  let annotations: Record<string, string> | undefined;
  if (t.annotations !== undefined) {
    if (!isObject(t.annotations) || !Object.values(t.annotations).every((v) => typeof v === 'string')) {
      throw new PayloadError('targetArtifact.annotations is not a map of strings');
    }
    annotations = t.annotations as Record<string, string>;
  }
  return {
    mediaType: t.mediaType,
    digest: t.digest,
    size: t.size,
    annotations,
    artifactType: typeof t.artifactType === 'string' ? t.artifactType : undefined,
  };
}

export const sameDescriptor = (a: Descriptor, b: Descriptor): boolean =>
  a.mediaType === b.mediaType && a.digest === b.digest && a.size === b.size;

/** Which of the three fields differ, for the reason of a DIGEST_MISMATCH. */
export function descriptorDifference(signed: Descriptor, resolved: Descriptor): string {
  const diffs: string[] = [];
  if (signed.digest !== resolved.digest) diffs.push(`digest ${signed.digest} (image is ${resolved.digest})`);
  if (signed.mediaType !== resolved.mediaType)
    diffs.push(`media type ${signed.mediaType} (image is ${resolved.mediaType})`);
  if (signed.size !== resolved.size) diffs.push(`size ${signed.size} (image is ${resolved.size})`);
  return diffs.join(', ');
}
