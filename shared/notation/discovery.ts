/**
 * Finding and trying an image's Notation signatures (NOTATION.md section 1; notation-go notation.Verify and
 * registry/repository.go): the referrers of the resolved digest (the registry client uses the referrers API, else
 * the `sha256-<hex>` tag), each accepted only when its manifest is a Notation signature manifest, its one layer
 * fetched with a cap, tried in the order the registry lists them, at most MAX_SIGNATURE_ATTEMPTS; the first that
 * verifies wins. I/O is the injected RegistryClient; verification is the pure verifySignature.
 */
import { TrustError } from '../errors';
import type { RegistryClient, RepositoryRef } from '../registry/client';
import type { Descriptor as RegistryDescriptor } from '../registry/descriptor';
import type { ReferrersResult } from '../registry/referrers';
import { MEDIA_TYPE } from './media-types';
import type { Descriptor } from './payload';
import type { TrustPolicyStatement } from './policy/trust-policy';
import type { NotationErrorCode, PluginRegistry, RevocationChecker, TimestampVerifier, TrustStores } from './types';
import type { SignatureOutcome, Warning } from './verify/outcome';
import { verifySignature } from './verify/verify-signature';

/**
 * Signatures tried per image. notation's CLI default is 100, Kyverno uses 10. Each attempt costs two registry
 * round trips inside an admission deadline of a few seconds, and real images carry one to three signatures: 10
 * leaves room for re-signing and rotation without letting a repository full of junk signatures hold the webhook.
 */
export const MAX_SIGNATURE_ATTEMPTS = 10;
/**
 * Envelope bytes fetched per signature. notation-go allows 32 MiB; real envelopes (a 4-certificate chain and a
 * timestamp) are under 20 KiB, so 4 MiB is 200 times that and keeps a hostile blob from filling the Lambda's memory.
 */
export const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;

export interface ArtifactVerifyInput {
  readonly client: RegistryClient;
  readonly repo: RepositoryRef;
  /** The image's resolved descriptor: what the signed payload must name. */
  readonly descriptor: Descriptor;
  /** The descriptor's signature referrers when already listed (listSignatures); else listed here. */
  readonly referrers?: ReferrersResult;
  readonly statement: TrustPolicyStatement;
  readonly stores: TrustStores;
  readonly nowMs: number;
  readonly signal: AbortSignal;
  readonly timestamps?: TimestampVerifier;
  readonly revocation?: RevocationChecker;
  readonly plugins?: PluginRegistry;
  readonly maxAttempts?: number;
}

/** Why one signature did not verify. */
export interface SignatureFailure {
  /** Digest of the signature manifest. */
  readonly signature: string;
  readonly code: NotationErrorCode | 'REGISTRY_ERROR' | 'REGISTRY_UNREACHABLE';
  readonly reason: string;
}

export type ArtifactOutcome =
  | {
      readonly verified: true;
      /** Digest of the signature manifest that verified. */
      readonly signature: string;
      readonly outcome: Extract<SignatureOutcome, { verified: true }>;
      readonly warnings: readonly Warning[];
      readonly attempts: number;
      readonly source: 'api' | 'tag';
    }
  | {
      readonly verified: false;
      readonly code: SignatureFailure['code'];
      readonly reason: string;
      readonly failures: readonly SignatureFailure[];
      readonly attempts: number;
    };

/** How far a failure got: the one that got furthest explains best why the image is denied. */
const RANK: Readonly<Record<SignatureFailure['code'], number>> = {
  REGISTRY_UNREACHABLE: 0,
  REGISTRY_ERROR: 1,
  NOT_SIGNED: 1,
  SIGNATURE_INVALID: 2,
  DIGEST_MISMATCH: 3,
  NO_TRUST_POLICY: 3,
  CERTIFICATE_UNTRUSTED: 4,
  IDENTITY_UNTRUSTED: 5,
  SIGNATURE_EXPIRED: 6,
  CERTIFICATE_EXPIRED: 7,
  TIMESTAMP_INVALID: 7,
  REVOKED: 8,
  REVOCATION_UNAVAILABLE: 8,
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The envelope layer of a signature manifest, or why it is not a Notation signature: OCI image manifest with
 * artifactType notary + empty config, or (legacy) no artifactType and config.mediaType notary; exactly one layer.
 * The OCI 1.1-rc artifact manifest uses `blobs[]` and its own artifactType.
 */
export function signatureLayer(referrer: RegistryDescriptor, bytes: Uint8Array): RegistryDescriptor | string {
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return 'the signature manifest is not JSON';
  }
  if (!isObject(manifest)) return 'the signature manifest is not a JSON object';
  if (manifest.mediaType !== undefined && manifest.mediaType !== referrer.mediaType) {
    return `the signature manifest says media type ${String(manifest.mediaType)}, the registry ${referrer.mediaType}`;
  }
  let layers: unknown;
  if (referrer.mediaType === MEDIA_TYPE.ociManifest) {
    const configType = isObject(manifest.config) ? manifest.config.mediaType : undefined;
    const isSignature =
      manifest.artifactType === undefined
        ? configType === MEDIA_TYPE.signatureArtifact
        : manifest.artifactType === MEDIA_TYPE.signatureArtifact && configType === MEDIA_TYPE.ociEmpty;
    if (!isSignature) return 'the manifest is not a Notation signature (artifactType and config media type)';
    layers = manifest.layers;
  } else if (referrer.mediaType === MEDIA_TYPE.ociArtifactManifest) {
    if (manifest.artifactType !== MEDIA_TYPE.signatureArtifact)
      return 'the artifact manifest is not a Notation signature';
    layers = manifest.blobs;
  } else {
    return `a signature manifest of media type ${referrer.mediaType} is not supported`;
  }
  if (!Array.isArray(layers) || layers.length !== 1) return 'a signature manifest must have exactly one layer';
  const layer = layers[0];
  if (
    !isObject(layer) ||
    typeof layer.mediaType !== 'string' ||
    typeof layer.digest !== 'string' ||
    typeof layer.size !== 'number' ||
    !Number.isSafeInteger(layer.size) ||
    layer.size < 0
  ) {
    return 'the signature layer is not a valid descriptor';
  }
  if (layer.size > MAX_ENVELOPE_BYTES) return `the envelope is ${layer.size} bytes, more than ${MAX_ENVELOPE_BYTES}`;
  return { mediaType: layer.mediaType, digest: layer.digest, size: layer.size };
}

function failureOf(error: unknown, signature: string): SignatureFailure {
  const code =
    error instanceof TrustError && error.code === 'REGISTRY_UNREACHABLE' ? 'REGISTRY_UNREACHABLE' : 'REGISTRY_ERROR';
  return { signature, code, reason: (error as Error).message };
}

/** The referrers of `digest` that may be Notation signatures (by artifact type). */
export function listSignatures(
  client: RegistryClient,
  repo: RepositoryRef,
  digest: string,
  signal: AbortSignal,
): Promise<ReferrersResult> {
  return client.listReferrers(repo, digest, { signal, artifactType: MEDIA_TYPE.signatureArtifact });
}

/** One signature tried: verified (with its outcome), or why not. */
export type SignatureTrial =
  | {
      readonly signature: string;
      readonly verified: true;
      readonly outcome: Extract<SignatureOutcome, { verified: true }>;
    }
  | (SignatureFailure & { readonly verified: false; readonly signer?: string });

/** The image's Notation signature manifests, as the registry lists them (referrers API, else the tag). */
async function signatureManifests(input: ArtifactVerifyInput) {
  const listed =
    input.referrers ?? (await listSignatures(input.client, input.repo, input.descriptor.digest, input.signal));
  const candidates = listed.referrers.filter(
    (r) => r.mediaType === MEDIA_TYPE.ociManifest || r.mediaType === MEDIA_TYPE.ociArtifactManifest,
  );
  return { source: listed.source, candidates };
}

/** Fetches one signature manifest and its envelope, and verifies it under the statement. */
async function trySignature(input: ArtifactVerifyInput, referrer: RegistryDescriptor): Promise<SignatureTrial> {
  const { client, repo, descriptor, signal } = input;
  let envelope: Uint8Array;
  let layer: RegistryDescriptor | string;
  try {
    const manifest = await client.fetchManifest(repo, referrer, { signal });
    layer = signatureLayer(referrer, manifest.bytes);
    if (typeof layer === 'string') {
      return { verified: false, signature: referrer.digest, code: 'SIGNATURE_INVALID', reason: layer };
    }
    envelope = await client.fetchBlob(repo, layer, MAX_ENVELOPE_BYTES, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    return { verified: false, ...failureOf(error, referrer.digest) };
  }
  const outcome = await verifySignature({
    descriptor,
    envelope,
    envelopeMediaType: layer.mediaType,
    statement: input.statement,
    stores: input.stores,
    nowMs: input.nowMs,
    signal,
    timestamps: input.timestamps,
    revocation: input.revocation,
    plugins: input.plugins,
  });
  if (outcome.verified) return { verified: true, signature: referrer.digest, outcome };
  return {
    verified: false,
    signature: referrer.digest,
    code: outcome.code,
    reason: outcome.reason,
    ...(outcome.signer && { signer: outcome.signer.subject }),
  };
}

/**
 * Every signature of the image tried under the statement, in the registry's order, at most `maxAttempts` (for
 * `inspect`: what each signature says, not only the first that verifies). `notTried` counts the ones left over.
 */
export async function verifyEachSignature(
  input: ArtifactVerifyInput,
): Promise<{ source: 'api' | 'tag'; trials: SignatureTrial[]; notTried: number }> {
  const maxAttempts = input.maxAttempts ?? MAX_SIGNATURE_ATTEMPTS;
  const { source, candidates } = await signatureManifests(input);
  const trials: SignatureTrial[] = [];
  for (const referrer of candidates.slice(0, maxAttempts)) trials.push(await trySignature(input, referrer));
  return { source, trials, notTried: Math.max(0, candidates.length - maxAttempts) };
}

export async function verifyArtifact(input: ArtifactVerifyInput): Promise<ArtifactOutcome> {
  const maxAttempts = input.maxAttempts ?? MAX_SIGNATURE_ATTEMPTS;
  const { source, candidates } = await signatureManifests(input);
  const failures: SignatureFailure[] = [];
  let attempts = 0;
  for (const referrer of candidates) {
    if (attempts >= maxAttempts) break;
    attempts++;
    const trial = await trySignature(input, referrer);
    if (trial.verified) {
      const { outcome } = trial;
      return { verified: true, signature: trial.signature, outcome, warnings: outcome.warnings, attempts, source };
    }
    failures.push({ signature: trial.signature, code: trial.code, reason: trial.reason });
  }
  if (failures.length === 0) {
    return {
      verified: false,
      code: 'NOT_SIGNED',
      reason: `No Notation signature is associated with ${input.descriptor.digest}.`,
      failures,
      attempts,
    };
  }
  const best = failures.reduce((a, b) => (RANK[b.code] > RANK[a.code] ? b : a));
  const more =
    candidates.length > attempts
      ? ` (${candidates.length - attempts} more not tried: the limit is ${maxAttempts})`
      : '';
  const others = failures.length > 1 ? ` ${failures.length} signatures tried, none verified${more}.` : more;
  return { verified: false, code: best.code, reason: `${best.reason}${others}`, failures, attempts };
}
