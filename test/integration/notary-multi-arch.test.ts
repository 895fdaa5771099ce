/**
 * Multi-arch images under Notary v1 rules, against real parts: a two-platform OCI index pushed with skopeo to the
 * Debian docker-registry, its index digest signed with the real `notary` client on a real notary-server. A Pod
 * pinned to one platform's manifest is admitted through the signed index when the policy configures the registry.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../shared/cache/memory-store';
import { OciRegistryClient } from '../../shared/registry/client';
import type { RegistriesConfig } from '../../shared/registry/settings';
import { describeWithNotary, describeWithRegistry } from '../harness/availability';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';
import { type BuiltImage, writeImageLayout } from '../harness/oci-layout';
import { type RegistryHarness, startRegistry } from '../harness/registry-harness';
import { InterceptingTransport, notaryRule, sharedTransport, verifierKit } from '../harness/verifier-kit';

const hexOf = (digest: string) => digest.replace(/^sha256:/, '');

describeWithNotary('Notary v1 multi-arch images (notary-server)', () => {
  describeWithRegistry('Notary v1 multi-arch images (docker-registry)', () => {
    let notary: NotaryHarness;
    let registry: RegistryHarness;
    let layouts: string;
    let multi: BuiltImage;
    let single: BuiltImage;
    let other: BuiltImage;
    let name: string;
    const rule = () => notaryRule({ server: notary.url, ca: notary.caPem });

    const registriesFor = (endpoint?: string): RegistriesConfig => ({
      [registry.host]: { ca: registry.caPem, plainHttp: false, endpoint, auth: registry.credentials },
    });
    /** A verifier as the runtime builds it: one registry client, the policy's registries. */
    const kit = (registries: RegistriesConfig | undefined) => {
      const http = new InterceptingTransport(sharedTransport);
      const store = new MemoryStore();
      const client = new OciRegistryClient({ http, store, registries, requestTimeoutMs: 5_000 });
      return { http, ...verifierKit({ store, registry: client, registries }) };
    };
    const platform = (index: number) => multi.manifests[index]!.digest;

    beforeAll(async () => {
      [notary, registry] = await Promise.all([startNotary(), startRegistry({ auth: 'htpasswd' })]);
      layouts = await mkdtemp(path.join(tmpdir(), 'notary-gate-multiarch-'));
      multi = await writeImageLayout(path.join(layouts, 'multi'), {
        tag: 'v1',
        platforms: [
          { os: 'linux', architecture: 'amd64' },
          { os: 'linux', architecture: 'arm64' },
        ],
      });
      single = await writeImageLayout(path.join(layouts, 'single'), {
        tag: 'v1',
        platforms: [{ os: 'linux', architecture: 'amd64' }],
        content: 'another image',
      });
      other = await writeImageLayout(path.join(layouts, 'other'), {
        tag: 'v1',
        platforms: [{ os: 'linux', architecture: 'amd64' }],
        content: 'pushed over a signed tag',
      });
      name = `${registry.host}/team/multi`;
      await registry.push(path.join(layouts, 'multi'), 'v1', 'team/multi:v1', { all: true });
      await registry.push(path.join(layouts, 'single'), 'v1', 'team/multi:solo');
      // `moved` was signed for the single image, then another image was pushed over it.
      await registry.push(path.join(layouts, 'other'), 'v1', 'team/multi:moved');
      // v1 signs the index (what `docker trust sign` signs for a multi-platform tag); solo a single manifest.
      await notary.seed(name, {
        v1: hexOf(multi.top.digest),
        solo: hexOf(single.top.digest),
        moved: hexOf(single.top.digest),
      });
    }, 180_000);
    afterAll(async () => {
      await Promise.all([notary?.stop(), registry?.stop()]);
      if (layouts) await rm(layouts, { recursive: true, force: true });
    });

    it('admits a digest pinned to a platform of the signed index, naming the index and its tag', async () => {
      const { verify } = kit(registriesFor());
      for (const index of [0, 1]) {
        const verdict = await verify(`${name}@${platform(index)}`, rule());
        expect(verdict).toMatchObject({
          allowed: true,
          code: 'SIGNED',
          format: 'notary-v1',
          viaIndex: multi.top.digest,
          signedDigest: multi.top.digest,
        });
        expect(verdict.reason).toContain(multi.top.digest);
        expect(verdict.reason).toContain('"v1"');
        expect(verdict.reason).toContain(index === 0 ? 'linux/amd64' : 'linux/arm64');
      }
    });

    it('a warm admission of a platform digest asks the registry nothing (the index listing is kept)', async () => {
      const { verify, http } = kit(registriesFor());
      expect(await verify(`${name}@${platform(0)}`, rule())).toMatchObject({
        allowed: true,
        viaIndex: multi.top.digest,
      });
      const cold = http.urls.filter((url) => url.startsWith(registry.url)).length;
      expect(cold).toBeGreaterThan(0);
      for (const index of [0, 1]) {
        expect(await verify(`${name}@${platform(index)}`, rule())).toMatchObject({ allowed: true });
      }
      expect(http.urls.filter((url) => url.startsWith(registry.url))).toHaveLength(cold);
    });

    describe('tag-only images under requireDigest: false', () => {
      const tagRule = () => notaryRule({ server: notary.url, ca: notary.caPem }, false);

      it('admits a tag the registry still serves with the signed digest (the index skopeo pushed)', async () => {
        const { verify, http } = kit(registriesFor());
        const verdict = await verify(`${name}:v1`, tagRule());
        expect(verdict).toMatchObject({ allowed: true, code: 'SIGNED', signedDigest: multi.top.digest });
        expect(verdict.reason).toContain(`${registry.host} serves for the tag`);
        // a cold resolution on this registry (htpasswd Basic): HEAD, its 401, HEAD with credentials
        const registryRequests = http.urls.filter((url) => url.startsWith(registry.url));
        expect(registryRequests).toEqual([
          `${registry.url}/v2/team/multi/manifests/v1`,
          `${registry.url}/v2/team/multi/manifests/v1`,
        ]);
      });

      it('denies a tag pushed over after signing: DIGEST_MISMATCH naming the digest skopeo reports', async () => {
        const current = await registry.skopeoDigest('team/multi:moved');
        expect(current).toBe(other.top.digest);
        const verdict = await kit(registriesFor()).verify(`${name}:moved`, tagRule());
        expect(verdict).toMatchObject({ allowed: false, code: 'DIGEST_MISMATCH', signedDigest: single.top.digest });
        expect(verdict.reason).toContain(`now serves ${current}`);
      });

      it('a registry that cannot be reached: REGISTRY_UNREACHABLE, though the tag is signed', async () => {
        const verdict = await kit(registriesFor('https://127.0.0.1:1')).verify(`${name}:v1`, tagRule());
        expect(verdict).toMatchObject({ allowed: false, code: 'REGISTRY_UNREACHABLE', signedDigest: multi.top.digest });
      });

      it('without a registries: entry the signed tag is admitted as before, with no registry traffic', async () => {
        const { verify, http } = kit(undefined);
        expect(await verify(`${name}:moved`, tagRule())).toMatchObject({ allowed: true, code: 'SIGNED' });
        expect(http.urls.filter((url) => url.startsWith(registry.url))).toEqual([]);
      });
    });

    it('admits tag@platform-digest when that tag signs the index', async () => {
      const verdict = await kit(registriesFor()).verify(`${name}:v1@${platform(1)}`, rule());
      expect(verdict).toMatchObject({ allowed: true, code: 'SIGNED', viaIndex: multi.top.digest });
    });

    it('for tag@digest considers only that tag: another tag signing the index does not vouch', async () => {
      const { verify, http } = kit(registriesFor());
      const verdict = await verify(`${name}:solo@${platform(0)}`, rule());
      expect(verdict).toMatchObject({ allowed: false, code: 'DIGEST_MISMATCH', signedDigest: single.top.digest });
      expect(verdict.viaIndex).toBeUndefined();
      // solo's signed digest was looked at (a plain manifest, not an index); v1's index never was.
      expect(http.urls.some((url) => url.includes(single.top.digest))).toBe(true);
      expect(http.urls.some((url) => url.includes(multi.top.digest))).toBe(false);
    });

    it('denies a digest the signed index does not list, though the registry holds it', async () => {
      const other = `sha256:${'e'.repeat(64)}`;
      const { verify } = kit(registriesFor());
      expect(await verify(`${name}@${other}`, rule())).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
      // The single image's manifest is in the repository (as tag solo) and signed itself: admitted as before.
      expect(await verify(`${name}@${single.top.digest}`, rule())).toMatchObject({ allowed: true, code: 'SIGNED' });
      expect((await verify(`${name}@${single.top.digest}`, rule())).viaIndex).toBeUndefined();
    });

    it('without a registries: entry for the host behaves as before: denied, and the registry is never asked', async () => {
      for (const registries of [undefined, {}]) {
        const { verify, http } = kit(registries);
        const verdict = await verify(`${name}@${platform(0)}`, rule());
        expect(verdict).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
        expect(http.urls.filter((url) => url.startsWith(registry.url))).toEqual([]);
      }
    });

    it('a registry that cannot be reached keeps the denial and names the registry code', async () => {
      const { verify } = kit(registriesFor('https://127.0.0.1:1'));
      const verdict = await verify(`${name}@${platform(0)}`, rule());
      expect(verdict).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
      expect(verdict.reason).toContain('REGISTRY_UNREACHABLE');
    });

    it('a registry that refuses access keeps the denial and names REGISTRY_ERROR', async () => {
      const registries: RegistriesConfig = {
        [registry.host]: {
          ca: registry.caPem,
          plainHttp: false,
          endpoint: undefined,
          auth: { username: registry.credentials.username, password: 'wrong' },
        },
      };
      const verdict = await kit(registries).verify(`${name}@${platform(0)}`, rule());
      expect(verdict).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
      expect(verdict.reason).toContain('REGISTRY_ERROR');
    });
  });
});
