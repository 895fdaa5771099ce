/**
 * OCI image layouts built by the tests (image-layout spec: `oci-layout`, `index.json`, `blobs/sha256/…`), for
 * `skopeo copy oci:DIR:TAG docker://…` to push into a real registry: a single-platform image, or a two-platform
 * index. Layers are small gzip members with deterministic bytes, so digests are stable for given contents.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BuiltDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface BuiltImage {
  /** What `index.json` names with the tag: the image manifest, or the image index of a multi-platform image. */
  readonly top: BuiltDescriptor;
  /** The platform manifests, in index order (one for a single-platform image). */
  readonly manifests: ReadonlyArray<BuiltDescriptor & { platform: { os: string; architecture: string } }>;
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Writes an OCI layout in `dir` with one tag: one manifest per platform, and an index when there are several. */
export async function writeImageLayout(
  dir: string,
  options: { tag: string; platforms: ReadonlyArray<{ os: string; architecture: string }>; content?: string },
): Promise<BuiltImage> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (mediaType: string, bytes: Uint8Array): Promise<BuiltDescriptor> => {
    const digest = sha256(bytes);
    await writeFile(path.join(blobs, digest.slice('sha256:'.length)), bytes);
    return { mediaType, digest, size: bytes.length };
  };
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));

  const manifests = [];
  for (const platform of options.platforms) {
    const layerText = `${options.content ?? 'notary-gate test image'} ${platform.os}/${platform.architecture}\n`;
    const layer = await put('application/vnd.oci.image.layer.v1.tar+gzip', gzipSync(Buffer.from(layerText)));
    const config = await put(
      'application/vnd.oci.image.config.v1+json',
      json({ ...platform, rootfs: { type: 'layers', diff_ids: [sha256(Buffer.from(layerText))] } }),
    );
    const manifest = await put(
      'application/vnd.oci.image.manifest.v1+json',
      json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] }),
    );
    manifests.push({ ...manifest, platform });
  }
  const [single] = manifests;
  const top =
    manifests.length === 1 && single
      ? single
      : await put(
          'application/vnd.oci.image.index.v1+json',
          json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
        );
  const { platform: _platform, ...topDescriptor } = top as BuiltDescriptor & { platform?: unknown };
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...topDescriptor, annotations: { 'org.opencontainers.image.ref.name': options.tag } }],
    }),
  );
  return { top: topDescriptor, manifests };
}

/**
 * Two single-platform (linux/amd64) layouts tagged v1 in `dir/signed` and `dir/unsigned`, of different content: the
 * pair the Notation suites push, sign the first and leave the second unsigned.
 */
export async function writeSignedAndUnsignedLayouts(
  dir: string,
): Promise<{ signed: BuiltImage; unsigned: BuiltImage }> {
  const platforms = [{ os: 'linux', architecture: 'amd64' }];
  return {
    signed: await writeImageLayout(path.join(dir, 'signed'), { tag: 'v1', platforms }),
    unsigned: await writeImageLayout(path.join(dir, 'unsigned'), {
      tag: 'v1',
      platforms,
      content: 'nobody signed this',
    }),
  };
}
