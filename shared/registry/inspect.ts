/**
 * What the registry says about one image, for `notary-gate inspect`: the resolved descriptor, the platforms of an
 * index, and the signature manifests that refer to it, by known artifact type. The verdict under the policy is
 * the engine's (the CLI adds it); this module only reads the registry.
 */
import type { ImageReference } from '../image/types';
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

/** The report as lines for people. */
export function formatInspectReport(
  report: InspectReport,
  verdict?: { allowed: boolean; code: string; reason: string },
) {
  const lines = [
    `repository  ${report.repository.host}/${report.repository.repository}`,
    `digest      ${report.descriptor.digest}`,
    `mediaType   ${report.descriptor.mediaType}`,
    `size        ${report.descriptor.size}`,
  ];
  for (const entry of report.platforms ?? []) lines.push(`platform    ${entry.platform.padEnd(16)} ${entry.digest}`);
  for (const [format, found] of Object.entries(report.signatures)) {
    if ('error' in found) lines.push(`signatures  ${format}: cannot list (${found.error})`);
    else
      lines.push(
        `signatures  ${format}: ${found.manifests.length} (via the ${found.source === 'api' ? 'referrers API' : 'referrers tag'})`,
      );
    for (const manifest of 'manifests' in found ? found.manifests : []) lines.push(`            ${manifest.digest}`);
  }
  if (verdict) lines.push(`verdict     ${verdict.allowed ? 'allow' : 'deny'} ${verdict.code}: ${verdict.reason}`);
  return `${lines.join('\n')}\n`;
}
