import { MemoryStore } from '../../../shared/cache/memory-store';
import { OciRegistryClient, RegistryNotFoundError } from '../../../shared/registry/client';
import { NodeHttpTransport } from '../../../shared/registry/http';
import { referrersTag } from '../../../shared/registry/image-index';
import { MAX_REFERRER_PAGES } from '../../../shared/registry/referrers';
import { type FakeRegistry, type FakeRegistryOptions, startFakeRegistry } from '../../harness/fake-registry';

const SIGNATURE = 'application/vnd.cncf.notary.signature';
const SBOM = 'application/spdx+json';
const transport = new NodeHttpTransport();
afterAll(() => transport.close());

const registries: FakeRegistry[] = [];
afterEach(async () => {
  await Promise.all(registries.splice(0).map((registry) => registry.close()));
});

async function registryWith(options: FakeRegistryOptions = {}) {
  const registry = await startFakeRegistry(options);
  registries.push(registry);
  const client = new OciRegistryClient({
    http: transport,
    store: new MemoryStore(),
    registries: { [registry.host]: { ca: undefined, plainHttp: true, endpoint: undefined, auth: undefined } },
  });
  const repo = { host: registry.host, repository: 'team/app' };
  const image = registry.putManifest(
    'team/app',
    { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] },
    { tag: 'v1' },
  );
  const refer = (artifactType: string, n = 0) =>
    registry.putManifest('team/app', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType,
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
        size: 2,
      },
      layers: [],
      subject: image,
      annotations: { n: String(n) },
    });
  return { registry, client, repo, image, refer };
}

describe('listing referrers', () => {
  describe('with the referrers API', () => {
    it('asks with artifactType and trusts the filter the registry says it applied', async () => {
      const { client, repo, image, refer, registry } = await registryWith();
      const signature = refer(SIGNATURE);
      refer(SBOM);
      const listed = await client.listReferrers(repo, image.digest, { artifactType: SIGNATURE });
      expect(listed.source).toBe('api');
      expect(listed.referrers.map((entry) => entry.digest)).toEqual([signature.digest]);
      expect(listed.referrers[0]?.artifactType).toBe(SIGNATURE);
      const asked = registry.server.requests.find((request) => request.path.includes('/referrers/'));
      expect(asked?.path).toContain(`artifactType=${encodeURIComponent(SIGNATURE)}`);
    });

    it('filters by artifactType itself when OCI-Filters-Applied does not name it', async () => {
      const { client, repo, image, refer } = await registryWith({ applyFilters: false });
      const signature = refer(SIGNATURE);
      refer(SBOM);
      const listed = await client.listReferrers(repo, image.digest, { artifactType: SIGNATURE });
      expect(listed.referrers.map((entry) => entry.digest)).toEqual([signature.digest]);
    });

    it('follows Link rel="next" pages', async () => {
      const { client, repo, image, refer } = await registryWith({ pageSize: 1 });
      const all = [refer(SIGNATURE, 1), refer(SIGNATURE, 2), refer(SIGNATURE, 3)];
      const listed = await client.listReferrers(repo, image.digest, { artifactType: SIGNATURE });
      expect(listed.referrers.map((entry) => entry.digest).sort()).toEqual(all.map((entry) => entry.digest).sort());
    });

    it(`follows at most ${MAX_REFERRER_PAGES} pages: at the bound it lists all, one past it is REGISTRY_ERROR`, async () => {
      const atBound = await registryWith({ pageSize: 1 });
      for (let n = 0; n < MAX_REFERRER_PAGES; n++) atBound.refer(SIGNATURE, n);
      const listed = await atBound.client.listReferrers(atBound.repo, atBound.image.digest, {
        artifactType: SIGNATURE,
      });
      expect(listed.referrers).toHaveLength(MAX_REFERRER_PAGES);

      const past = await registryWith({ pageSize: 1 });
      for (let n = 0; n <= MAX_REFERRER_PAGES; n++) past.refer(SIGNATURE, n);
      const pending = past.client.listReferrers(past.repo, past.image.digest, { artifactType: SIGNATURE });
      await expect(pending).rejects.toMatchObject({ code: 'REGISTRY_ERROR', message: /pages of referrers/ });
    });

    it('reports a repository the registry does not know (NAME_UNKNOWN) as not found, without a fallback', async () => {
      const { client, registry, image } = await registryWith();
      const pending = client.listReferrers({ host: registry.host, repository: 'team/ghost' }, image.digest);
      await expect(pending).rejects.toBeInstanceOf(RegistryNotFoundError);
      await expect(pending).rejects.toThrow(/NAME_UNKNOWN/);
      expect(registry.server.requests.some((request) => request.path.includes('sha256-'))).toBe(false);
    });

    it('follows a Bearer challenge, asking the realm once', async () => {
      const { client, repo, image, refer, registry } = await registryWith({ bearer: true });
      refer(SIGNATURE);
      await client.listReferrers(repo, image.digest, { artifactType: SIGNATURE });
      await client.listReferrers(repo, image.digest, { artifactType: SIGNATURE });
      expect(registry.stats.tokens).toBe(1);
    });
  });

  describe('without the referrers API (distribution 2.8 answers 404 text)', () => {
    it('reads the sha256-<hex> tag index, filters it, and goes to the tag directly next time', async () => {
      const { client, repo, image, registry } = await registryWith({ referrersApi: false });
      const signature = {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: `sha256:${'a'.repeat(64)}`,
        size: 10,
        artifactType: SIGNATURE,
      };
      const sbom = { ...signature, digest: `sha256:${'b'.repeat(64)}`, artifactType: SBOM };
      registry.putManifest(
        'team/app',
        { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [signature, sbom] },
        { tag: referrersTag(image.digest) },
      );
      const listed = await client.listReferrers(repo, image.digest, { artifactType: SIGNATURE });
      expect(listed).toEqual({ referrers: [signature], source: 'tag' });
      const before = registry.server.requests.filter((request) => request.path.includes('/referrers/')).length;
      await client.listReferrers(repo, image.digest, { artifactType: SIGNATURE });
      expect(registry.server.requests.filter((request) => request.path.includes('/referrers/')).length).toBe(before);
    });

    it('finds no referrers when the tag does not exist', async () => {
      const { client, repo, image } = await registryWith({ referrersApi: false });
      expect(await client.listReferrers(repo, image.digest)).toEqual({ referrers: [], source: 'tag' });
    });
  });
});

describe('blob downloads redirected to another origin', () => {
  it('are followed without the registry Authorization header, and the bytes are checked', async () => {
    const { client, repo, registry } = await registryWith({ bearer: true, redirectBlobs: true });
    const blob = registry.putBlob('team/app', Buffer.from('envelope bytes'));
    const bytes = await client.fetchBlob(repo, blob, 1024);
    expect(Buffer.from(bytes).toString()).toBe('envelope bytes');
    expect(registry.blobHost.requests).toHaveLength(1);
    expect(registry.blobHost.requests[0]?.headers.authorization).toBeUndefined();
    const atRegistry = registry.server.requests.filter((request) => request.path.includes('/blobs/'));
    expect(atRegistry.at(-1)?.headers.authorization).toBe('Bearer fake-token');
  });
});
