import { TrustError } from '../../../shared/errors';
import { type RegistryClient, RegistryNotFoundError } from '../../../shared/registry/client';
import type { Descriptor } from '../../../shared/registry/descriptor';
import { digestOf } from '../../../shared/registry/descriptor';
import { IndexListings, MAX_KEPT_ENTRIES, MAX_LISTINGS } from '../../../shared/registry/index-listings';
import { MEDIA_TYPE } from '../../../shared/registry/media-types';

const repo = { host: 'registry.example.com', repository: 'team/app' };
const sha = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

function indexBytes(entries: number): Uint8Array {
  const manifests = Array.from({ length: entries }, (_, i) => ({
    mediaType: MEDIA_TYPE.ociManifest,
    digest: sha(i + 1),
    size: 10,
    platform: { os: 'linux', architecture: `arch${i}` },
    annotations: { large: 'x'.repeat(100) },
  }));
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE.ociIndex, manifests }));
}

/** A registry client holding the given manifests by digest; counts each call. */
function registryOf(manifests: Map<string, Uint8Array | 'image'>, failure?: Error) {
  const calls: string[] = [];
  const client: RegistryClient = {
    async resolve(_repo, reference): Promise<Descriptor> {
      calls.push(`HEAD ${reference}`);
      if (failure) throw failure;
      const stored = manifests.get(reference);
      if (!stored) throw new RegistryNotFoundError('REGISTRY_ERROR', 'answered 404');
      if (stored === 'image') return { mediaType: MEDIA_TYPE.ociManifest, digest: reference, size: 10 };
      return { mediaType: MEDIA_TYPE.ociIndex, digest: reference, size: stored.length };
    },
    async fetchManifest(_repo, target) {
      const reference = typeof target === 'string' ? target : target.digest;
      calls.push(`GET ${reference}`);
      const bytes = manifests.get(reference) as Uint8Array;
      return { descriptor: { mediaType: MEDIA_TYPE.ociIndex, digest: reference, size: bytes.length }, bytes };
    },
    fetchBlob: () => Promise.reject(new Error('unused')),
    listReferrers: () => Promise.reject(new Error('unused')),
  };
  return { client, calls };
}

describe('index listings', () => {
  it('reads an index once (HEAD, GET), then answers from memory, keeping only digest, type, size, platform', async () => {
    const bytes = indexBytes(2);
    const digest = digestOf(bytes);
    const { client, calls } = registryOf(new Map([[digest, bytes]]));
    const listings = new IndexListings(client);
    const first = await listings.listing(repo, digest);
    expect(first).toMatchObject({ index: true, mediaType: MEDIA_TYPE.ociIndex });
    expect(first.index && first.manifests[1]).toEqual({
      mediaType: MEDIA_TYPE.ociManifest,
      digest: sha(2),
      size: 10,
      platform: { os: 'linux', architecture: 'arch1' },
    });
    expect(await listings.listing(repo, digest)).toEqual(first);
    expect(calls).toEqual([`HEAD ${digest}`, `GET ${digest}`]);
  });

  it('keeps "not an index" too, and per repository', async () => {
    const { client, calls } = registryOf(new Map([[sha(7), 'image']]));
    const listings = new IndexListings(client);
    expect(await listings.listing(repo, sha(7))).toEqual({ index: false });
    expect(await listings.listing(repo, sha(7))).toEqual({ index: false });
    expect(calls).toHaveLength(1);
    await listings.listing({ ...repo, repository: 'team/other' }, sha(7));
    expect(calls).toHaveLength(2);
  });

  it('keeps neither failures nor "no such manifest"', async () => {
    const down = registryOf(new Map(), new TrustError('REGISTRY_UNREACHABLE', 'down'));
    const listings = new IndexListings(down.client);
    await expect(listings.listing(repo, sha(1))).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
    await expect(listings.listing(repo, sha(1))).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
    expect(down.calls).toHaveLength(2);
    const missing = registryOf(new Map());
    const other = new IndexListings(missing.client);
    await expect(other.listing(repo, sha(1))).rejects.toBeInstanceOf(RegistryNotFoundError);
    await expect(other.listing(repo, sha(1))).rejects.toBeInstanceOf(RegistryNotFoundError);
    expect(missing.calls).toHaveLength(2);
    expect(other.size).toBe(0);
  });

  it(`keeps an index of ${MAX_KEPT_ENTRIES} entries, reads one of ${MAX_KEPT_ENTRIES + 1} again on each use`, async () => {
    const atBound = indexBytes(MAX_KEPT_ENTRIES);
    const past = indexBytes(MAX_KEPT_ENTRIES + 1);
    const { client, calls } = registryOf(
      new Map([
        [digestOf(atBound), atBound],
        [digestOf(past), past],
      ]),
    );
    const listings = new IndexListings(client);
    for (let i = 0; i < 2; i++) await listings.listing(repo, digestOf(atBound));
    expect(calls).toHaveLength(2);
    for (let i = 0; i < 2; i++) {
      const listing = await listings.listing(repo, digestOf(past));
      expect(listing.index && listing.manifests).toHaveLength(MAX_KEPT_ENTRIES + 1);
    }
    expect(calls).toHaveLength(6);
  });

  it(`keeps ${MAX_LISTINGS} listings; one more drops the least recently used`, async () => {
    const manifests = new Map<string, 'image'>(
      Array.from({ length: MAX_LISTINGS + 1 }, (_, i) => [sha(i), 'image'] as const),
    );
    const { client, calls } = registryOf(manifests);
    const listings = new IndexListings(client);
    for (let i = 0; i < MAX_LISTINGS; i++) await listings.listing(repo, sha(i));
    expect(listings.size).toBe(MAX_LISTINGS);
    await listings.listing(repo, sha(0)); // used again: now the most recent
    expect(calls).toHaveLength(MAX_LISTINGS);
    await listings.listing(repo, sha(MAX_LISTINGS));
    expect(listings.size).toBe(MAX_LISTINGS);
    await listings.listing(repo, sha(0));
    expect(calls).toHaveLength(MAX_LISTINGS + 1);
    await listings.listing(repo, sha(1)); // the one dropped
    expect(calls).toHaveLength(MAX_LISTINGS + 2);
  });

  it('shares one read between concurrent callers', async () => {
    const bytes = indexBytes(1);
    const { client, calls } = registryOf(new Map([[digestOf(bytes), bytes]]));
    const listings = new IndexListings(client);
    await Promise.all([1, 2, 3].map(() => listings.listing(repo, digestOf(bytes))));
    expect(calls).toHaveLength(2);
  });
});
