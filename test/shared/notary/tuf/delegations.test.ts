import { TrustedMetadata } from '../../../../shared/notary/tuf/trusted-metadata';
import { trustErrorOf } from './support/expect';
import { certificateWindow, makeKey } from './support/keys';
import { HOUR_MS, type RepositoryFixture, verifyRepository } from './support/repository';
import {
  DIGEST_A,
  DIGEST_B,
  DIGEST_C,
  GUN,
  instantFor,
  standardKeys,
  standardRepository,
} from './support/standard-repository';

const keys = standardKeys();
const NOW = instantFor(keys);
const options = { gun: GUN, nowMs: NOW, pinnedRootKeys: [] as string[] };
const releasesKey = makeKey('ecdsa-x509', { commonName: 'releases' });
const teamKey = makeKey('ecdsa');

function repository(): RepositoryFixture {
  const repo = standardRepository(keys);
  repo.targets.targets = { v1: DIGEST_A };
  return repo;
}

function targetsOf(result: ReturnType<typeof verifyRepository>['result'], role: string) {
  return result.roles.find((r) => r.role === role)?.targets;
}

describe('delegations', () => {
  describe('when valid', () => {
    it('loads targets/releases after targets and reports its targets and version', () => {
      const repo = repository();
      repo.delegate('targets/releases', [releasesKey], { v1: DIGEST_B }).version = 6;
      const { result, outcomes } = verifyRepository(repo.publish(), options);
      expect(outcomes).toEqual({ 'targets/releases': 'loaded' });
      expect(result.roles.map((r) => r.role)).toEqual(['targets', 'targets/releases']);
      expect(targetsOf(result, 'targets/releases')).toEqual({ v1: { digest: `sha256:${DIGEST_B}`, length: 1000 } });
      expect(result.versions['targets/releases']).toBe(6);
    });

    it('lists a nested delegation only after its parent is loaded', () => {
      const repo = repository();
      repo.delegate('targets/releases', [releasesKey], {});
      repo.delegate('targets/releases/team', [teamKey], { v9: DIGEST_C });
      const files = repo.publish();
      const trusted = new TrustedMetadata(options);
      trusted.updateRoot(files.root);
      trusted.updateTimestamp(files.timestamp);
      trusted.updateSnapshot(files.snapshot);
      trusted.updateTargets(files.targets);
      expect(trusted.delegationsToFetch().map((d) => d.role)).toEqual(['targets/releases']);
      trusted.updateDelegatedTargets('targets/releases', files.delegated['targets/releases']!);
      const [team] = trusted.delegationsToFetch();
      expect(team).toMatchObject({
        role: 'targets/releases/team',
        length: files.delegated['targets/releases/team']!.length,
      });
      expect(team?.sha256Hex).toMatch(/^[0-9a-f]{64}$/);
      trusted.updateDelegatedTargets('targets/releases/team', files.delegated['targets/releases/team']!);
      expect(trusted.result().roles.map((r) => r.role)).toEqual([
        'targets',
        'targets/releases',
        'targets/releases/team',
      ]);
    });

    it('refuses a result while a listed delegation was not loaded', () => {
      const repo = repository();
      repo.delegate('targets/releases', [releasesKey], { v1: DIGEST_B });
      const files = repo.publish();
      const trusted = new TrustedMetadata(options);
      trusted.updateRoot(files.root);
      trusted.updateTimestamp(files.timestamp);
      trusted.updateSnapshot(files.snapshot);
      trusted.updateTargets(files.targets);
      const error = trustErrorOf(() => trusted.result());
      expect(error.code).toBe('NOTARY_ERROR');
      expect(error.message).toContain('targets/releases');
    });

    it('refuses a delegation nobody asked for', () => {
      const files = repository().publish();
      const trusted = new TrustedMetadata(options);
      trusted.updateRoot(files.root);
      trusted.updateTimestamp(files.timestamp);
      trusted.updateSnapshot(files.snapshot);
      trusted.updateTargets(files.targets);
      expect(trustErrorOf(() => trusted.updateDelegatedTargets('targets/evil', files.targets)).code).toBe(
        'NOTARY_ERROR',
      );
    });
  });

  describe('paths', () => {
    it('drops targets outside the delegation paths (prefixes)', () => {
      const repo = repository();
      repo.delegate('targets/releases', [releasesKey], { 'v1.0': DIGEST_A, 'v1.1': DIGEST_B, latest: DIGEST_C }, [
        'v1.',
      ]);
      expect(Object.keys(targetsOf(verifyRepository(repo.publish(), options).result, 'targets/releases')!)).toEqual([
        'v1.0',
        'v1.1',
      ]);
    });

    it("narrows a child's paths to those within its parent's", () => {
      const repo = repository();
      repo.delegate('targets/releases', [releasesKey], {}, ['prod-']);
      repo.delegate('targets/releases/team', [teamKey], { 'prod-1': DIGEST_A, 'dev-1': DIGEST_B }, ['prod-1', 'dev-']);
      expect(targetsOf(verifyRepository(repo.publish(), options).result, 'targets/releases/team')).toEqual({
        'prod-1': { digest: `sha256:${DIGEST_A}`, length: 1000 },
      });
    });

    it('allows nothing when a delegation has no paths, as notary does', () => {
      const repo = repository();
      repo.delegate('targets/releases', [releasesKey], { v1: DIGEST_B }, null);
      expect(targetsOf(verifyRepository(repo.publish(), options).result, 'targets/releases')).toEqual({});
    });
  });

  describe('when a delegation cannot be trusted', () => {
    it('skips an expired delegation, keeps the other roles, and records why', () => {
      const repo = repository();
      repo.delegate('targets/releases', [releasesKey], { v1: DIGEST_B }).expiresAtMs = NOW - 1;
      const { result, outcomes } = verifyRepository(repo.publish(), options);
      expect(outcomes['targets/releases']).toBe('skipped');
      expect(result.roles.map((r) => r.role)).toEqual(['targets']);
      expect(result.skippedRoles).toEqual([{ role: 'targets/releases', reason: expect.stringMatching(/expired at/) }]);
      expect(result.versions['targets/releases']).toBeUndefined();
    });

    it('skips a delegation signed by fewer keys than its threshold', () => {
      const repo = repository();
      const releases = repo.delegate('targets/releases', [releasesKey, teamKey], { v1: DIGEST_B });
      releases.threshold = 2;
      releases.signers = [releasesKey];
      const { result, outcomes } = verifyRepository(repo.publish(), options);
      expect(outcomes['targets/releases']).toBe('skipped');
      expect(result.skippedRoles[0]?.reason).toMatch(/1 of the 2/);
    });

    it('skips a delegation whose certificate is not valid at the evaluation instant', () => {
      const shortLived = makeKey('ecdsa-x509', { commonName: 'releases', days: 1 });
      const later = certificateWindow(shortLived).notAfterMs + HOUR_MS;
      const repo = repository();
      repo.delegate('targets/releases', [shortLived], { v1: DIGEST_B });
      const { outcomes } = verifyRepository(repo.publish(), { ...options, nowMs: later });
      expect(outcomes['targets/releases']).toBe('skipped');
    });

    it('skips delegations that the snapshot does not list', () => {
      const repo = repository();
      repo.delegate('targets/releases', [releasesKey], { v1: DIGEST_B });
      repo.snapshot.edit = (signed) => {
        delete (signed.meta as Record<string, unknown>)['targets/releases'];
      };
      const { result, outcomes } = verifyRepository(repo.publish(), options);
      expect(outcomes).toEqual({});
      expect(result.skippedRoles).toEqual([{ role: 'targets/releases', reason: 'the snapshot does not list it' }]);
    });

    it('skips a delegation named by a role that is not its direct parent', () => {
      const repo = repository();
      repo.delegate('targets/releases/team', [teamKey], { v1: DIGEST_B });
      repo.targets.edit = (signed) => {
        const delegations = signed.delegations as { keys: Record<string, unknown>; roles: unknown[] };
        delegations.keys[teamKey.id] = teamKey.json;
        delegations.roles.push({ name: 'targets/releases/team', keyids: [teamKey.id], threshold: 1, paths: [''] });
      };
      const { result } = verifyRepository(repo.publish(), options);
      expect(result.skippedRoles).toEqual([
        { role: 'targets/releases/team', reason: 'it is not a valid delegation of targets' },
      ]);
    });

    it('fails the whole repository when delegation bytes do not match the snapshot', () => {
      const repo = repository();
      repo.delegate('targets/releases', [releasesKey], { v1: DIGEST_B });
      const files = repo.publish();
      files.delegated['targets/releases'] = Buffer.concat([files.delegated['targets/releases']!, Buffer.from('\n')]);
      expect(trustErrorOf(() => verifyRepository(files, options)).code).toBe('HASH_MISMATCH');
    });

    it('fails the whole repository when a delegation goes back in version', () => {
      const repo = repository();
      repo.delegate('targets/releases', [releasesKey], { v1: DIGEST_B }).version = 2;
      const error = trustErrorOf(() =>
        verifyRepository(repo.publish(), { ...options, minVersions: { 'targets/releases': 3 } }),
      );
      expect(error.code).toBe('ROLLBACK');
    });
  });
});
