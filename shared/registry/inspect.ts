/**
 * What the registry says about one image, for `notary-gate inspect`: the resolved descriptor, the platforms of an
 * index, and the signature manifests that refer to it, by known artifact type. The verdict under the policy is
 * the engine's (the CLI adds it); this module only reads the registry.
 */
import type { ImageReference } from '../image/types';
import type { SignatureInspection } from '../verify/types';
import type { RegistryClient, RepositoryRef } from './client';
import type { Descriptor } from './descriptor';
import { formatPlatform } from './descriptor';
import { parseIndexManifests } from './image-index';
import { isIndexMediaType } from './media-types';

/** Artifact types of signatures, by the format that reads them. */
export const SIGNATURE_ARTIFACT_TYPES: Readonly<Record<string, string>> = {
  notation: 'application/vnd.cncf.notary.signature',
};

export interface InspectReport {
  readonly repository: RepositoryRef;
  readonly descriptor: Descriptor;
  /** For an index: one entry per platform manifest, in index order. */
  readonly platforms?: ReadonlyArray<{
    readonly platform: string;
    readonly digest: string;
    readonly mediaType: string;
  }>;
  /** Signature manifests per format, and how they were listed (referrers API or tag schema). */
  readonly signatures: Readonly<
    Record<
      string,
      { readonly source: 'api' | 'tag'; readonly manifests: readonly Descriptor[] } | { readonly error: string }
    >
  >;
}

export function repositoryOf(ref: ImageReference): RepositoryRef {
  return { host: ref.domain.toLowerCase(), repository: ref.path };
}

export async function inspectImage(
  client: RegistryClient,
  ref: ImageReference,
  options: { signal?: AbortSignal } = {},
): Promise<InspectReport> {
  const repository = repositoryOf(ref);
  const descriptor = await client.resolve(repository, ref.digest ?? ref.tag ?? 'latest', { ...options, fresh: true });
  let platforms: InspectReport['platforms'];
  if (isIndexMediaType(descriptor.mediaType)) {
    const { bytes } = await client.fetchManifest(repository, descriptor, options);
    platforms = parseIndexManifests(bytes, `the index ${descriptor.digest}`).map((entry) => ({
      platform: entry.platform ? formatPlatform(entry.platform) : 'unknown',
      digest: entry.digest,
      mediaType: entry.mediaType,
    }));
  }
  const signatures: Record<string, InspectReport['signatures'][string]> = {};
  for (const [format, artifactType] of Object.entries(SIGNATURE_ARTIFACT_TYPES)) {
    try {
      const listed = await client.listReferrers(repository, descriptor.digest, { ...options, artifactType });
      signatures[format] = { source: listed.source, manifests: listed.referrers };
    } catch (error) {
      signatures[format] = { error: (error as Error).message };
    }
  }
  return { repository, descriptor, ...(platforms && { platforms }), signatures };
}

/** The report as lines for people; `inspections` adds each signature's verdict under the policy, per format. */
export function formatInspectReport(
  report: InspectReport,
  verdict?: { allowed: boolean; code: string; reason: string },
  inspections: Readonly<Record<string, SignatureInspection>> = {},
) {
  const lines = [
    `repository  ${report.repository.host}/${report.repository.repository}`,
    `digest      ${report.descriptor.digest}`,
    `mediaType   ${report.descriptor.mediaType}`,
    `size        ${report.descriptor.size}`,
  ];
  for (const entry of report.platforms ?? []) lines.push(`platform    ${entry.platform.padEnd(16)} ${entry.digest}`);
  for (const [format, found] of Object.entries(report.signatures)) {
    const inspection = inspections[format];
    if ('error' in found) lines.push(`signatures  ${format}: cannot list (${found.error})`);
    else
      lines.push(
        `signatures  ${format}: ${found.manifests.length} (via the ${found.source === 'api' ? 'referrers API' : 'referrers tag'})`,
      );
    if (inspection && 'code' in inspection)
      lines.push(`            not verified: ${inspection.code}: ${inspection.reason}`);
    for (const manifest of 'manifests' in found ? found.manifests : []) {
      const verdictOf =
        inspection && 'signatures' in inspection
          ? inspection.signatures.find((entry) => entry.signature === manifest.digest)
          : undefined;
      lines.push(`            ${manifest.digest}`);
      if (verdictOf) {
        const signer = verdictOf.signer ? ` (signer ${verdictOf.signer})` : '';
        lines.push(
          `              ${verdictOf.allowed ? 'verifies' : 'fails'} ${verdictOf.code}${signer}: ${verdictOf.reason}`,
        );
        for (const warning of verdictOf.warnings ?? []) lines.push(`              warning: ${warning}`);
      }
    }
    if (inspection && 'notTried' in inspection && inspection.notTried > 0) {
      lines.push(`            ${inspection.notTried} more not verified (the attempt limit)`);
    }
  }
  if (verdict) lines.push(`verdict     ${verdict.allowed ? 'allow' : 'deny'} ${verdict.code}: ${verdict.reason}`);
  return `${lines.join('\n')}\n`;
}
