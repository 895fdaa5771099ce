import { TrustedMetadata } from '../../../../shared/notary/tuf/trusted-metadata';
import { trustErrorOf } from './support/expect';
import { certificateWindow, makeKey } from './support/keys';
import { DAY_MS, HOUR_MS, RepositoryFixture, verifyRepository } from './support/repository';
import { DIGEST_A, GUN, instantFor, standardKeys, standardRepository } from './support/standard-repository';

const keys = standardKeys();
const NOW = instantFor(keys);
const tofu = { gun: GUN, nowMs: NOW, pinnedRootKeys: [] as string[] };

/** Verifies only the root: the part under test here. */
function loadRoot(rootBytes: Buffer, options: ConstructorParameters<typeof TrustedMetadata>[0]): void {
  new TrustedMetadata(options).updateRoot(rootBytes);
}

function repositoryWithRoot(rootKeys = [keys.root]): RepositoryFixture {
  const repo = standardRepository(keys);
  repo.root.keys = rootKeys;
  repo.targets.targets = { v1: DIGEST_A };
  return repo;
}

describe('root verification', () => {
  describe('on first use (no pinned keys)', () => {
    it('trusts a root signed by its own root certificate', () => {
      expect(verifyRepository(repositoryWithRoot().publish(), tofu).result.rootVersion).toBe(1);
    });

    it('refuses a root not signed by its own root keys', () => {
      const repo = repositoryWithRoot();
      repo.root.signers = [makeKey('ecdsa-x509', { commonName: GUN })];
      expect(trustErrorOf(() => loadRoot(repo.publish().root, tofu)).code).toBe('SIGNATURE_INVALID');
    });
  });

  describe('with pinned root keys', () => {
    it('accepts a root signed by the pinned public key', () => {
      const pinned = { ...tofu, pinnedRootKeys: [keys.root.publicPem] };
      expect(verifyRepository(repositoryWithRoot().publish(), pinned).result.rootVersion).toBe(1);
    });

    it('accepts a root signed by the key of a pinned certificate', () => {
      const pinned = { ...tofu, pinnedRootKeys: [makeKey('ecdsa').publicPem, keys.root.certificatePem!] };
      expect(() => loadRoot(repositoryWithRoot().publish().root, pinned)).not.toThrow();
    });

    it('refuses with ROOT_UNTRUSTED a root not signed by any pinned key', () => {
      const pinned = { ...tofu, pinnedRootKeys: [makeKey('ecdsa').publicPem] };
      const error = trustErrorOf(() => loadRoot(repositoryWithRoot().publish().root, pinned));
      expect(error.code).toBe('ROOT_UNTRUSTED');
      expect(error.message).toMatch(/not signed by any of the pinned root keys/);
    });

    it('refuses a root whose pinned key is listed but did not sign', () => {
      const other = makeKey('ecdsa-x509', { commonName: GUN });
      const repo = repositoryWithRoot([keys.root, other]);
      repo.root.signers = [keys.root];
      const pinned = { ...tofu, pinnedRootKeys: [other.publicPem] };
      expect(trustErrorOf(() => loadRoot(repo.publish().root, pinned)).code).toBe('ROOT_UNTRUSTED');
    });

    it('refuses a pinned key that is not PEM', () => {
      expect(trustErrorOf(() => new TrustedMetadata({ ...tofu, pinnedRootKeys: ['hello'] })).code).toBe(
        'ROOT_UNTRUSTED',
      );
    });
  });

  describe('root certificates', () => {
    it('refuses a root whose certificate names another repository', () => {
      const stranger = makeKey('ecdsa-x509', { commonName: 'docker.io/acme/other' });
      const error = trustErrorOf(() => loadRoot(repositoryWithRoot([stranger]).publish().root, tofu));
      expect(error.code).toBe('ROOT_UNTRUSTED');
      expect(error.message).toContain('names "docker.io/acme/other", not docker.io/acme/app');
    });

    it('accepts a wildcard certificate whose prefix starts the repository name', () => {
      const wildcard = makeKey('ecdsa-x509', { commonName: 'docker.io/acme/*' });
      expect(() => loadRoot(repositoryWithRoot([wildcard]).publish().root, tofu)).not.toThrow();
    });

    it('refuses a root key that is a bare public key', () => {
      const bare = makeKey('ecdsa');
      const error = trustErrorOf(() => loadRoot(repositoryWithRoot([bare]).publish().root, tofu));
      expect(error.code).toBe('ROOT_UNTRUSTED');
      expect(error.message).toContain('root keys must be certificates');
    });

    it('refuses a root key whose certificate is a CA certificate', () => {
      const ca = makeKey('ecdsa-x509', { commonName: GUN, ca: true });
      expect(trustErrorOf(() => loadRoot(repositoryWithRoot([ca]).publish().root, tofu)).code).toBe('ROOT_UNTRUSTED');
    });

    it('refuses with METADATA_EXPIRED a root whose certificate expired before the evaluation instant', () => {
      const shortLived = makeKey('ecdsa-x509', { commonName: GUN, days: 1 });
      const later = certificateWindow(shortLived).notAfterMs + HOUR_MS;
      const repo = new RepositoryFixture(GUN, later, {
        root: [shortLived],
        timestamp: [keys.timestamp],
        snapshot: [keys.snapshot],
        targets: [keys.targets],
      });
      const error = trustErrorOf(() => loadRoot(repo.publish().root, { ...tofu, nowMs: later }));
      expect(error.code).toBe('METADATA_EXPIRED');
      expect(error.message).toContain('is not valid at');
    });

    it('refuses a root evaluated more than a day before its certificate is valid as not yet valid, not expired', () => {
      const earlier = certificateWindow(keys.root).notBeforeMs - 2 * DAY_MS;
      const error = trustErrorOf(() => loadRoot(repositoryWithRoot().publish().root, { ...tofu, nowMs: earlier }));
      expect(error.code).toBe('ROOT_UNTRUSTED');
      expect(error.message).toContain('is not yet valid at');
      expect(error.message).not.toMatch(/expired/);
    });

    it('ends the verified data when the signing root certificate ends', () => {
      const shortLived = makeKey('ecdsa-x509', { commonName: GUN, days: 2 });
      const repo = repositoryWithRoot([shortLived]);
      repo.timestamp.expiresAtMs = NOW + 30 * DAY_MS;
      const { result } = verifyRepository(repo.publish(), tofu);
      expect(result.expiresAtMs).toBe(certificateWindow(shortLived).notAfterMs);
    });
  });

  describe('rotation from a root trusted before', () => {
    const newRoot = makeKey('ecdsa-x509', { commonName: GUN });

    it('accepts the same root again', () => {
      const files = repositoryWithRoot().publish();
      expect(() => loadRoot(files.root, { ...tofu, trustedRoot: files.root })).not.toThrow();
    });

    it('accepts a new root signed by the previous root key and its own', () => {
      const before = repositoryWithRoot().publish();
      const repo = repositoryWithRoot([newRoot]);
      repo.root.version = 2;
      repo.root.signers = [keys.root, newRoot];
      const { result } = verifyRepository(repo.publish(), { ...tofu, trustedRoot: before.root });
      expect(result.rootVersion).toBe(2);
    });

    it('refuses with ROOT_UNTRUSTED a new root not signed by the previous root keys', () => {
      const before = repositoryWithRoot().publish();
      const repo = repositoryWithRoot([newRoot]);
      repo.root.version = 2;
      const error = trustErrorOf(() => loadRoot(repo.publish().root, { ...tofu, trustedRoot: before.root }));
      expect(error.code).toBe('ROOT_UNTRUSTED');
      expect(error.message).toMatch(/changed and the new root is not signed by the root keys trusted before/);
    });

    it('refuses with ROLLBACK a changed root with a lower version', () => {
      const repo = repositoryWithRoot();
      repo.root.version = 3;
      const before = repo.publish();
      repo.root.version = 2;
      const error = trustErrorOf(() => loadRoot(repo.publish().root, { ...tofu, trustedRoot: before.root }));
      expect(error.code).toBe('ROLLBACK');
    });

    it('follows a chain of rotations, each root signed by the one before', () => {
      const third = makeKey('ecdsa-x509', { commonName: GUN });
      const v1 = repositoryWithRoot().publish();
      const repo2 = repositoryWithRoot([newRoot]);
      repo2.root.version = 2;
      repo2.root.signers = [keys.root, newRoot];
      const repo3 = repositoryWithRoot([third]);
      repo3.root.version = 3;
      repo3.root.signers = [newRoot, third];
      const files3 = repo3.publish(); // signatures are randomized: publish once
      const trusted = new TrustedMetadata({ ...tofu, trustedRoot: v1.root });
      expect(trustErrorOf(() => trusted.updateRoot(files3.root)).code).toBe('ROOT_UNTRUSTED');
      trusted.updateRoot(repo2.publish().root);
      trusted.updateRoot(files3.root);
      trusted.updateTimestamp(files3.timestamp);
      trusted.updateSnapshot(files3.snapshot);
      trusted.updateTargets(files3.targets);
      expect(trusted.result().rootVersion).toBe(3);
    });
  });
});
