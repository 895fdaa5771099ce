/**
 * Tag-only images under Notary v1 rules with `requireDigest: false`, against the in-process fake registry: the
 * registry's current digest for the tag must be the signed one (or a platform manifest the signed index lists).
 * The trust data is given (a trust cache that answers it), so these tests are about the registry side: moved and
 * unchanged tags, index-listed platforms, a registry down or slow, the resolution TTL on an injected clock, and
 * the /mutate pin.
 */
import type http from 'node:http';
import { MemoryStore } from '../../../shared/cache/memory-store';
import type { TrustCache } from '../../../shared/cache/trust-cache-types';
import { DecisionEngine } from '../../../shared/decision/engine';
import { parseReference } from '../../../shared/image/reference';
import type { VerifiedTrust } from '../../../shared/notary/tuf/types';
import { NotaryVerifier } from '../../../shared/notary/verifier';
import type { Policy, Rule } from '../../../shared/policy/types';
import { OciRegistryClient } from '../../../shared/registry/client';
import { NodeHttpTransport } from '../../../shared/registry/http';
import { MEDIA_TYPE } from '../../../shared/registry/media-types';
import { RESOLUTION_FRESH_TTL_MS, RESOLUTION_MAX_STALE_MS } from '../../../shared/registry/resolution-cache';
import type { RegistriesConfig } from '../../../shared/registry/settings';
import { type FakeRegistry, startFakeRegistry } from '../../harness/fake-registry';
import { freePortUrl } from '../../harness/fake-server';
import { notaryRule } from '../../harness/verifier-kit';

const transport = new NodeHttpTransport();
afterAll(() => transport.close());

const REPOSITORY = 'team/app';
const NOW = Date.parse('2026-06-01T00:00:00Z');

const imageManifest = (content: string) => ({
  schemaVersion: 2,
  mediaType: MEDIA_TYPE.ociManifest,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 2 },
  layers: [],
  annotations: { content },
});

function trustSigning(targets: Record<string, string>): VerifiedTrust {
  return {
    gun: '',
    roles: [
      {
        role: 'targets',
        targets: Object.fromEntries(Object.entries(targets).map(([tag, digest]) => [tag, { digest, length: 1 }])),
      },
    ],
    versions: { root: 1, timestamp: 1, snapshot: 1, targets: 1 },
    expiresAtMs: NOW + 86_400_000,
    root: '',
    rootVersion: 1,
    skippedRoles: [],
  };
}

/** A trust cache that answers the given verified data (as if loaded from Notary). */
function givenTrust(trust: () => VerifiedTrust): TrustCache & { loads: number } {
  const cache = {
    loads: 0,
    async getOrLoad<T>() {
      cache.loads++;
      return { value: trust() as T, source: 'memory' as const };
    },
  };
  return cache;
}

interface Setup {
  readonly registry: FakeRegistry;
  readonly name: string;
  readonly clock: { nowMs: number };
  readonly verifier: NotaryVerifier;
  requests(): number;
  verify(image: string, rule?: Rule, signal?: AbortSignal): ReturnType<NotaryVerifier['verify']>;
}

const registries: FakeRegistry[] = [];
afterEach(async () => {
  await Promise.all(registries.splice(0).map((registry) => registry.close()));
});

async function setup(
  options: {
    signed?: (registry: FakeRegistry) => Record<string, string>;
    endpoint?: string;
    fault?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
    configured?: boolean;
  } = {},
): Promise<Setup> {
  const fault = options.fault;
  const registry = await startFakeRegistry({ fault: (req, res) => fault?.(req, res) ?? false });
  registries.push(registry);
  const clock = { nowMs: NOW };
  let targets: Record<string, string> = {};
  const config: RegistriesConfig =
    options.configured === false
      ? {}
      : {
          [registry.host]: {
            ca: undefined,
            plainHttp: true,
            endpoint: options.endpoint ?? undefined,
            auth: undefined,
          },
        };
  const client = new OciRegistryClient({
    http: transport,
    store: new MemoryStore(),
    registries: config,
    clock: () => clock.nowMs,
    requestTimeoutMs: 1_000,
  });
  const verifier = new NotaryVerifier({
    cache: givenTrust(() => trustSigning(targets)),
    store: new MemoryStore(),
    registry: client,
    registries: config,
  });
  targets = options.signed?.(registry) ?? {};
  void fault;
  return {
    registry,
    name: `${registry.host}/${REPOSITORY}`,
    clock,
    verifier,
    requests: () => registry.server.requests.length,
    verify: (image, rule = tagRule(), signal = new AbortController().signal) =>
      verifier.verify(parseReference(image), rule, { nowMs: NOW, signal }),
  };
}

const tagRule = (requireDigest = false) => notaryRule({ server: 'https://notary.example.com' }, requireDigest);

describe('Notary v1 tag resolution (requireDigest: false, registry configured)', () => {
  it('admits an unchanged tag: the registry serves the signed digest', async () => {
    let signed = '';
    const s = await setup({
      signed: (registry) => {
        signed = registry.putManifest(REPOSITORY, imageManifest('v1'), { tag: 'v1' }).digest;
        return { v1: signed };
      },
    });
    const verdict = await s.verify(`${s.name}:v1`);
    expect(verdict).toMatchObject({ allowed: true, code: 'SIGNED', signedDigest: signed, format: 'notary-v1' });
    expect(verdict.reason).toContain(`the digest ${s.registry.host} serves for the tag`);
    // one cold resolution: one HEAD of the tag (no auth on this registry)
    expect(s.registry.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `HEAD /v2/${REPOSITORY}/manifests/v1`,
    ]);
  });

  it('denies a moved tag with DIGEST_MISMATCH naming both digests and what to run', async () => {
    let signed = '';
    const s = await setup({
      signed: (registry) => {
        signed = registry.putManifest(REPOSITORY, imageManifest('v1'), { tag: 'v1' }).digest;
        return { v1: signed };
      },
    });
    const moved = s.registry.putManifest(REPOSITORY, imageManifest('pushed later, unsigned'), { tag: 'v1' }).digest;
    const verdict = await s.verify(`${s.name}:v1`);
    expect(verdict).toMatchObject({ allowed: false, code: 'DIGEST_MISMATCH', signedDigest: signed });
    expect(verdict.reason).toContain(`now serves ${moved}`);
    expect(verdict.reason).toContain('the tag moved since it was signed');
    expect(verdict.reason).toContain(`${s.name}:v1@${signed}`);
    // the signed image itself, by digest, is still admitted
    expect(await s.verify(`${s.name}:v1@${signed}`)).toMatchObject({ allowed: true, code: 'SIGNED' });
  });

  it('admits a tag now serving a platform manifest that the signed index lists, naming the index', async () => {
    let platform = '';
    let index = '';
    const s = await setup({
      signed: (registry) => {
        platform = registry.putManifest(REPOSITORY, imageManifest('amd64')).digest;
        const other = registry.putManifest(REPOSITORY, imageManifest('arm64')).digest;
        index = registry.putManifest(REPOSITORY, {
          schemaVersion: 2,
          mediaType: MEDIA_TYPE.ociIndex,
          manifests: [
            {
              mediaType: MEDIA_TYPE.ociManifest,
              digest: platform,
              size: 10,
              platform: { os: 'linux', architecture: 'amd64' },
            },
            {
              mediaType: MEDIA_TYPE.ociManifest,
              digest: other,
              size: 10,
              platform: { os: 'linux', architecture: 'arm64' },
            },
          ],
        }).digest;
        registry.putManifest(REPOSITORY, imageManifest('amd64'), { tag: 'v1' }); // the tag: one platform only
        return { v1: index };
      },
    });
    const verdict = await s.verify(`${s.name}:v1`);
    expect(verdict).toMatchObject({ allowed: true, code: 'SIGNED', signedDigest: index, viaIndex: index });
    expect(verdict.reason).toContain(`serves ${platform} for ${s.name}:v1`);
    expect(verdict.reason).toContain('linux/amd64');
    // /mutate pins what the registry serves and validation admits (the platform manifest)
    const pin = await s.verifier.resolveSignedDigest(parseReference(`${s.name}:v1`), tagRule(), {
      nowMs: NOW,
      signal: new AbortController().signal,
    });
    expect(pin).toMatchObject({ digest: platform });
    expect(await s.verify(`${s.name}:v1@${platform}`)).toMatchObject({ allowed: true, viaIndex: index });
  });

  it('denies a moved tag whose new digest the signed index does not list', async () => {
    let index = '';
    const s = await setup({
      signed: (registry) => {
        const platform = registry.putManifest(REPOSITORY, imageManifest('amd64')).digest;
        index = registry.putManifest(REPOSITORY, {
          schemaVersion: 2,
          mediaType: MEDIA_TYPE.ociIndex,
          manifests: [{ mediaType: MEDIA_TYPE.ociManifest, digest: platform, size: 10 }],
        }).digest;
        registry.putManifest(REPOSITORY, imageManifest('something else'), { tag: 'v1' });
        return { v1: index };
      },
    });
    const verdict = await s.verify(`${s.name}:v1`);
    expect(verdict).toMatchObject({ allowed: false, code: 'DIGEST_MISMATCH', signedDigest: index });
    expect(verdict.viaIndex).toBeUndefined();
  });

  it('sees a moved tag once the resolution TTL has passed, not before (injected clock)', async () => {
    let signed = '';
    const s = await setup({
      signed: (registry) => {
        signed = registry.putManifest(REPOSITORY, imageManifest('v1'), { tag: 'v1' }).digest;
        return { v1: signed };
      },
    });
    expect(await s.verify(`${s.name}:v1`)).toMatchObject({ allowed: true });
    s.registry.putManifest(REPOSITORY, imageManifest('moved'), { tag: 'v1' });
    s.clock.nowMs += RESOLUTION_FRESH_TTL_MS - 1;
    expect(await s.verify(`${s.name}:v1`)).toMatchObject({ allowed: true });
    expect(s.requests()).toBe(1); // the warm admission asked the registry nothing
    s.clock.nowMs += 1;
    expect(await s.verify(`${s.name}:v1`)).toMatchObject({ allowed: false, code: 'DIGEST_MISMATCH' });
    // HEAD of the tag, then HEAD of the signed digest (is it an index listing the new one? no: kept as such)
    expect(s.requests()).toBe(3);
    expect(await s.verify(`${s.name}:v1`)).toMatchObject({ allowed: false, code: 'DIGEST_MISMATCH' });
    expect(s.requests()).toBe(3);
  });

  describe('when the registry cannot answer', () => {
    it('a registry that is down: REGISTRY_UNREACHABLE naming the signed digest and the host', async () => {
      const s = await setup({ endpoint: await freePortUrl(), signed: () => ({ v1: `sha256:${'a'.repeat(64)}` }) });
      const verdict = await s.verify(`${s.name}:v1`);
      expect(verdict).toMatchObject({ allowed: false, code: 'REGISTRY_UNREACHABLE', format: 'notary-v1' });
      expect(verdict.reason).toContain(`sha256:${'a'.repeat(64)}`);
      expect(verdict.reason).toContain(s.registry.host);
    });

    it('a registry answering 500: REGISTRY_ERROR', async () => {
      const s = await setup({
        signed: () => ({ v1: `sha256:${'a'.repeat(64)}` }),
        fault: (_req, res) => {
          res.writeHead(500).end();
          return true;
        },
      });
      expect(await s.verify(`${s.name}:v1`)).toMatchObject({ allowed: false, code: 'REGISTRY_ERROR' });
    });

    it('a tag the registry does not hold: REGISTRY_ERROR naming the 404', async () => {
      const s = await setup({ signed: () => ({ v1: `sha256:${'a'.repeat(64)}` }) });
      s.registry.putManifest(REPOSITORY, imageManifest('other'), { tag: 'other' });
      const verdict = await s.verify(`${s.name}:v1`);
      expect(verdict).toMatchObject({ allowed: false, code: 'REGISTRY_ERROR' });
      expect(verdict.reason).toMatch(/404/);
    });

    it('a slow registry: REGISTRY_UNREACHABLE by the deadline, from the verifier and from the engine', async () => {
      let slow = true;
      const s = await setup({
        signed: (registry) => ({ v1: registry.putManifest(REPOSITORY, imageManifest('v1'), { tag: 'v1' }).digest }),
        fault: (_req, _res) => slow, // never answers while slow
      });
      const verdict = await s.verify(`${s.name}:v1`, tagRule(), AbortSignal.timeout(50));
      expect(verdict).toMatchObject({ allowed: false, code: 'REGISTRY_UNREACHABLE' });
      // The engine decides at its deadline from what the verifier said it waits on: the registry, not Notary.
      const policy = {
        mode: 'enforce',
        defaultAction: 'deny',
        rules: [tagRule()],
        registries: {},
      } as unknown as Policy;
      const engine = new DecisionEngine({ policy, verifiers: [s.verifier] });
      const checked = await engine.checkImage(`${s.name}:v1`, { nowMs: NOW, deadlineAtMs: Date.now() + 50 });
      expect(checked).toMatchObject({ allowed: false, code: 'REGISTRY_UNREACHABLE' });
      expect(checked.reason).toContain('registry is reachable');
      slow = false;
    });

    it('a recent resolution stands in (stale-if-error) within RESOLUTION_MAX_STALE_MS, not one past it', async () => {
      let down = false;
      const s = await setup({
        signed: (registry) => ({ v1: registry.putManifest(REPOSITORY, imageManifest('v1'), { tag: 'v1' }).digest }),
        fault: (_req, res) => {
          if (down) res.writeHead(503).end();
          return down;
        },
      });
      expect(await s.verify(`${s.name}:v1`)).toMatchObject({ allowed: true });
      down = true;
      s.clock.nowMs += RESOLUTION_MAX_STALE_MS;
      expect(await s.verify(`${s.name}:v1`)).toMatchObject({ allowed: true, code: 'SIGNED' });
      s.clock.nowMs += 1;
      expect(await s.verify(`${s.name}:v1`)).toMatchObject({ allowed: false, code: 'REGISTRY_ERROR' });
    });
  });

  describe('when it does not apply', () => {
    it('requireDigest: true denies DIGEST_REQUIRED without asking the registry, and the pin is the signed digest', async () => {
      let signed = '';
      const s = await setup({
        signed: (registry) => {
          registry.putManifest(REPOSITORY, imageManifest('moved'), { tag: 'v1' });
          signed = `sha256:${'b'.repeat(64)}`;
          return { v1: signed };
        },
      });
      expect(await s.verify(`${s.name}:v1`, tagRule(true))).toMatchObject({
        allowed: false,
        code: 'DIGEST_REQUIRED',
        signedDigest: signed,
      });
      const pin = await s.verifier.resolveSignedDigest(parseReference(`${s.name}:v1`), tagRule(true), {
        nowMs: NOW,
        signal: new AbortController().signal,
      });
      expect(pin).toMatchObject({ digest: signed });
      expect(s.requests()).toBe(0);
    });

    it('a host not named in registries: admits the signed tag as before, with no registry traffic', async () => {
      const s = await setup({
        configured: false,
        signed: (registry) => {
          registry.putManifest(REPOSITORY, imageManifest('moved'), { tag: 'v1' });
          return { v1: `sha256:${'b'.repeat(64)}` };
        },
      });
      expect(await s.verify(`${s.name}:v1`)).toMatchObject({ allowed: true, code: 'SIGNED' });
      expect(s.requests()).toBe(0);
    });

    it('an unsigned tag is NOT_SIGNED whatever the registry says (it is down here)', async () => {
      const s = await setup({ endpoint: await freePortUrl(), signed: () => ({ other: `sha256:${'b'.repeat(64)}` }) });
      expect(await s.verify(`${s.name}:v1`)).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
    });

    it('a moved tag pins nothing for /mutate (validation would deny it)', async () => {
      const s = await setup({
        signed: (registry) => {
          const signed = registry.putManifest(REPOSITORY, imageManifest('v1'), { tag: 'v1' }).digest;
          registry.putManifest(REPOSITORY, imageManifest('moved'), { tag: 'v1' });
          return { v1: signed };
        },
      });
      const pin = await s.verifier.resolveSignedDigest(parseReference(`${s.name}:v1`), tagRule(), {
        nowMs: NOW,
        signal: new AbortController().signal,
      });
      expect(pin).toMatchObject({ digest: undefined, code: 'DIGEST_MISMATCH' });
    });
  });
});
