import { TrustError } from '../../../shared/errors';
import type { ImageReference } from '../../../shared/image/types';
import {
  indexCandidates,
  MAX_INDEXES_TRIED,
  vouchingApplies,
  vouchThroughIndex,
} from '../../../shared/notary/index-vouching';
import type { VerifiedTrust } from '../../../shared/notary/tuf/types';
import type { RegistryClient } from '../../../shared/registry/client';
import { IndexListings } from '../../../shared/registry/index-listings';
import type { RegistryConfig } from '../../../shared/registry/settings';
import type { ImageVerdict } from '../../../shared/verify/types';

const NAME = 'registry.example.com/team/app';
const sha = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const IMAGE = sha(0xfff);

function trustWith(count: number, releases: Record<string, string> = {}): VerifiedTrust {
  const targets = Object.fromEntries(Array.from({ length: count }, (_, i) => [`t${i}`, { digest: sha(i), length: 1 }]));
  const releaseTargets = Object.fromEntries(
    Object.entries(releases).map(([tag, digest]) => [tag, { digest, length: 1 }]),
  );
  return {
    gun: NAME,
    roles: [
      { role: 'targets', targets },
      { role: 'targets/releases', targets: releaseTargets },
    ],
    versions: { root: 1, timestamp: 1, snapshot: 1, targets: 1 },
    expiresAtMs: Number.MAX_SAFE_INTEGER,
    root: '',
    rootVersion: 1,
    skippedRoles: [],
  };
}

function ref(tag: string | undefined, digest = IMAGE): ImageReference {
  const reference = `${NAME}${tag ? `:${tag}` : ''}@${digest}`;
  return { original: reference, domain: 'registry.example.com', path: 'team/app', name: NAME, tag, digest, reference };
}

const denial: ImageVerdict = { allowed: false, code: 'NOT_SIGNED', reason: 'not signed', format: 'notary-v1' };
const ctx = { nowMs: 0, signal: new AbortController().signal };
const config: RegistryConfig = { ca: undefined, plainHttp: false, endpoint: undefined, auth: undefined };

/** Counts lookups; every signed digest is a plain image manifest (never an index). */
function countingRegistry(fail?: TrustError): RegistryClient & { resolved: string[] } {
  const resolved: string[] = [];
  return {
    resolved,
    async resolve(_repo, reference) {
      resolved.push(reference);
      if (fail) throw fail;
      return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: reference, size: 10 };
    },
    fetchManifest: () => Promise.reject(new Error('not an index: never fetched')),
    fetchBlob: () => Promise.reject(new Error('unused')),
    listReferrers: () => Promise.reject(new Error('unused')),
  };
}

describe('index vouching candidates', () => {
  it(`tries at most ${MAX_INDEXES_TRIED} signed digests of a repository, all of them up to the bound`, () => {
    expect(indexCandidates(ref(undefined), trustWith(MAX_INDEXES_TRIED), undefined)).toHaveLength(MAX_INDEXES_TRIED);
    const past = indexCandidates(ref(undefined), trustWith(MAX_INDEXES_TRIED + 1), undefined);
    expect(past).toHaveLength(MAX_INDEXES_TRIED);
  });

  it('asks the registry no more than the bound for one unsigned digest', async () => {
    const registry = countingRegistry();
    const candidates = indexCandidates(ref(undefined), trustWith(MAX_INDEXES_TRIED + 5), undefined);
    const verdict = await vouchThroughIndex(
      ref(undefined),
      denial,
      candidates,
      { listings: new IndexListings(registry) },
      ctx,
    );
    expect(verdict).toBe(denial);
    expect(registry.resolved).toHaveLength(MAX_INDEXES_TRIED);
  });

  it('lists each signed digest once, targets/releases before targets, and never the image itself', () => {
    const trust = trustWith(2, { r1: sha(0), r2: sha(7), self: IMAGE });
    const candidates = indexCandidates(ref(undefined), trust, ['targets/releases', 'targets']);
    expect(candidates.map((c) => [c.role, c.tag, c.digest])).toEqual([
      ['targets/releases', 'r1', sha(0)],
      ['targets/releases', 'r2', sha(7)],
      ['targets', 't1', sha(1)],
    ]);
  });

  it('for tag@digest takes only the tag, from the first trusted role that signs it', () => {
    const trust = trustWith(3, { t1: sha(9) });
    expect(indexCandidates(ref('t1'), trust, undefined)).toEqual([
      { tag: 't1', role: 'targets/releases', digest: sha(9) },
    ]);
    expect(indexCandidates(ref('nope'), trust, undefined)).toEqual([]);
  });

  it('stops at the first registry failure and keeps the denial, naming the code', async () => {
    const registry = countingRegistry(new TrustError('REGISTRY_UNREACHABLE', 'registry.example.com: down'));
    const candidates = indexCandidates(ref(undefined), trustWith(4), undefined);
    const verdict = await vouchThroughIndex(
      ref(undefined),
      denial,
      candidates,
      { listings: new IndexListings(registry) },
      ctx,
    );
    expect(verdict).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
    expect(verdict.reason).toContain('REGISTRY_UNREACHABLE: registry.example.com: down');
    expect(registry.resolved).toHaveLength(1);
  });

  it('applies only to hosts the registries: section names, compared without case', () => {
    expect(vouchingApplies(ref(undefined), undefined)).toBe(false);
    expect(vouchingApplies(ref(undefined), {})).toBe(false);
    expect(vouchingApplies(ref(undefined), { 'other.example.com': config })).toBe(false);
    expect(
      vouchingApplies({ ...ref(undefined), domain: 'Registry.Example.com' }, { 'registry.example.com': config }),
    ).toBe(true);
  });
});
