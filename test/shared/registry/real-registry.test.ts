import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../../shared/cache/memory-store';
import {
  type OciRegistryClient as Client,
  OciRegistryClient,
  RegistryNotFoundError,
} from '../../../shared/registry/client';
import { digestOf } from '../../../shared/registry/descriptor';
import { NodeHttpTransport } from '../../../shared/registry/http';
import { parseIndexManifests } from '../../../shared/registry/image-index';
import { MEDIA_TYPE } from '../../../shared/registry/media-types';
import type { RegistryConfig } from '../../../shared/registry/settings';
import { describeWithRegistry } from '../../harness/availability';
import { type BuiltImage, writeImageLayout } from '../../harness/oci-layout';
import { type RegistryHarness, startRegistry } from '../../harness/registry-harness';
import { InterceptingTransport } from '../../harness/verifier-kit';

const transport = new NodeHttpTransport();
afterAll(() => transport.close());

describe.each(['htpasswd', 'token'] as const)('the registry client against docker-registry with %s auth', (auth) => {
  describeWithRegistry(`docker-registry (${auth})`, () => {
    let registry: RegistryHarness;
    let layouts: string;
    let single: BuiltImage;
    let multi: BuiltImage;
    const repo = (repository: string) => ({ host: registry.host, repository });

    const clientWith = (config: Partial<RegistryConfig> = {}): Client =>
      new OciRegistryClient({
        http: transport,
        store: new MemoryStore(),
        registries: {
          [registry.host]: {
            ca: registry.caPem,
            plainHttp: false,
            endpoint: undefined,
            auth: registry.credentials,
            ...config,
          },
        },
      });

    beforeAll(async () => {
      registry = await startRegistry({ auth });
      layouts = await mkdtemp(path.join(tmpdir(), 'notary-gate-layouts-'));
      single = await writeImageLayout(path.join(layouts, 'single'), {
        tag: 'v1',
        platforms: [{ os: 'linux', architecture: 'amd64' }],
      });
      multi = await writeImageLayout(path.join(layouts, 'multi'), {
        tag: 'v1',
        platforms: [
          { os: 'linux', architecture: 'amd64' },
          { os: 'linux', architecture: 'arm64' },
        ],
      });
      await registry.push(path.join(layouts, 'single'), 'v1', 'team/app:oci');
      await registry.push(path.join(layouts, 'single'), 'v1', 'team/app:docker', { format: 'v2s2' });
      await registry.push(path.join(layouts, 'multi'), 'v1', 'team/multi:v1', { all: true });
    }, 60_000);
    afterAll(async () => {
      await registry?.stop();
      if (layouts) await rm(layouts, { recursive: true, force: true });
    });

    describe('resolving', () => {
      it('gives the OCI manifest of a tag with the digest skopeo reports', async () => {
        const descriptor = await clientWith().resolve(repo('team/app'), 'oci');
        expect(descriptor).toEqual({
          mediaType: MEDIA_TYPE.ociManifest,
          digest: await registry.skopeoDigest('team/app:oci'),
          size: single.top.size,
        });
        expect(descriptor.digest).toBe(single.top.digest);
      });

      it('gives the Docker media type of an image pushed as Docker schema 2', async () => {
        const descriptor = await clientWith().resolve(repo('team/app'), 'docker');
        expect(descriptor.mediaType).toBe(MEDIA_TYPE.dockerManifest);
        expect(descriptor.digest).toBe(await registry.skopeoDigest('team/app:docker'));
        expect(descriptor.digest).not.toBe(single.top.digest);
      });

      it('gives the index of a two-platform image, which lists both platform manifests', async () => {
        const client = clientWith();
        const descriptor = await client.resolve(repo('team/multi'), 'v1');
        expect(descriptor.mediaType).toBe(MEDIA_TYPE.ociIndex);
        expect(descriptor.digest).toBe(await registry.skopeoDigest('team/multi:v1'));
        const { bytes } = await client.fetchManifest(repo('team/multi'), descriptor);
        const entries = parseIndexManifests(bytes, 'index');
        expect(entries.map((entry) => [entry.digest, entry.platform?.architecture])).toEqual(
          multi.manifests.map((manifest) => [manifest.digest, manifest.platform.architecture]),
        );
      });

      it('resolves a digest reference to itself', async () => {
        const descriptor = await clientWith().resolve(repo('team/app'), single.top.digest);
        expect(descriptor.digest).toBe(single.top.digest);
      });

      it('reports a tag the registry does not have as a not-found REGISTRY_ERROR naming the host and step', async () => {
        const pending = clientWith().resolve(repo('team/app'), 'nope');
        await expect(pending).rejects.toBeInstanceOf(RegistryNotFoundError);
        await expect(pending).rejects.toMatchObject({ code: 'REGISTRY_ERROR' });
        await expect(pending).rejects.toThrow(new RegExp(`resolve team/app:nope.*${registry.host}.*404`));
      });
    });

    describe('fetching', () => {
      it('fetches a manifest by tag and by descriptor, the bytes hashing to the digest', async () => {
        const client = clientWith();
        const byTag = await client.fetchManifest(repo('team/app'), 'oci');
        expect(byTag.descriptor.digest).toBe(single.top.digest);
        const byDescriptor = await client.fetchManifest(repo('team/app'), byTag.descriptor);
        expect(digestOf(byDescriptor.bytes)).toBe(single.top.digest);
      });

      it('fetches the config blob of the image', async () => {
        const client = clientWith();
        const { bytes } = await client.fetchManifest(repo('team/app'), 'oci');
        const config = JSON.parse(Buffer.from(bytes).toString()).config;
        const blob = await client.fetchBlob(repo('team/app'), config, 64 * 1024);
        expect(JSON.parse(Buffer.from(blob).toString()).architecture).toBe('amd64');
      });
    });

    describe('referrers', () => {
      it('falls back to the referrers tag (distribution 2.8 has no referrers API) and finds none', async () => {
        const listed = await clientWith().listReferrers(repo('team/app'), single.top.digest, {
          artifactType: 'application/vnd.cncf.notary.signature',
        });
        expect(listed).toEqual({ referrers: [], source: 'tag' });
      });
    });

    describe('auth', () => {
      it('refuses wrong credentials with REGISTRY_ERROR naming the setting', async () => {
        const pending = clientWith({ auth: { username: 'puller', password: 'wrong' } }).resolve(
          repo('team/app'),
          'oci',
        );
        await expect(pending).rejects.toMatchObject({ code: 'REGISTRY_ERROR' });
        await expect(pending).rejects.toThrow(`registries["${registry.host}"].auth`);
      });

      it('without credentials, is refused with REGISTRY_ERROR', async () => {
        const pending = clientWith({ auth: undefined }).resolve(repo('team/app'), 'oci');
        await expect(pending).rejects.toMatchObject({ code: 'REGISTRY_ERROR' });
      });

      it('sends credentials up front after the first challenge (one 401 per client)', async () => {
        const statuses: number[] = [];
        const counting = new InterceptingTransport(transport, (_request, response) => {
          statuses.push(response.status);
          return response;
        });
        const client = new OciRegistryClient({
          http: counting,
          store: new MemoryStore(),
          registries: {
            [registry.host]: { ca: registry.caPem, plainHttp: false, endpoint: undefined, auth: registry.credentials },
          },
        });
        await client.resolve(repo('team/app'), 'oci');
        await client.resolve(repo('team/app'), 'docker');
        await client.fetchManifest(repo('team/app'), 'oci');
        expect(statuses.filter((status) => status === 401)).toHaveLength(1);
      });
    });

    if (auth === 'token') {
      it('asks the token endpoint once for concurrent resolutions of one repository', async () => {
        const before = registry.token?.stats.requests ?? 0;
        const client = clientWith();
        await Promise.all(
          ['oci', 'docker', single.top.digest].map((reference) => client.resolve(repo('team/app'), reference)),
        );
        expect((registry.token?.stats.requests ?? 0) - before).toBe(1);
      });
    }
  });
});
