import { createHash } from 'node:crypto';
import { TrustedMetadata } from '../../../../shared/notary/tuf/trusted-metadata';
import { trustErrorOf } from './support/expect';
import { certificateWindow, makeKey } from './support/keys';
import { DAY_MS, HOUR_MS, type RepositoryFixture, tamper, verifyRepository } from './support/repository';
import {
  DIGEST_A,
  DIGEST_B,
  GUN,
  instantFor,
  type StandardKeys,
  standardKeys,
  standardRepository,
} from './support/standard-repository';

const keys: StandardKeys = standardKeys();
const NOW = instantFor(keys);
const options = { gun: GUN, nowMs: NOW, pinnedRootKeys: [] as string[] };

function repository(): RepositoryFixture {
  const repo = standardRepository(keys);
  repo.targets.targets = { v1: DIGEST_A, v2: DIGEST_B };
  return repo;
}

describe('TrustedMetadata', () => {
  describe('with a good chain', () => {
    it('verifies root, timestamp, snapshot and targets and returns the signed digests and versions', () => {
      const repo = repository();
      repo.timestamp.version = 7;
      repo.snapshot.version = 5;
      repo.targets.version = 3;
      const { result } = verifyRepository(repo.publish(), options);
      expect(result.gun).toBe(GUN);
      expect(result.roles).toEqual([
        {
          role: 'targets',
          targets: {
            v1: { digest: `sha256:${DIGEST_A}`, length: 1000 },
            v2: { digest: `sha256:${DIGEST_B}`, length: 1000 },
          },
        },
      ]);
      expect(result.versions).toEqual({ root: 1, timestamp: 7, snapshot: 5, targets: 3 });
      expect(result.rootVersion).toBe(1);
      expect(result.skippedRoles).toEqual([]);
    });

    it('reports the earliest expiry of all metadata used', () => {
      const repo = repository();
      repo.snapshot.expiresAtMs = NOW + 2 * DAY_MS; // earlier than the timestamp's 14 days
      expect(verifyRepository(repo.publish(), options).result.expiresAtMs).toBe(NOW + 2 * DAY_MS);
    });

    it('keeps the root bytes for trust on first use', () => {
      const files = repository().publish();
      expect(Buffer.from(verifyRepository(files, options).result.root, 'base64').equals(files.root)).toBe(true);
    });

    it('exposes the snapshot and targets hashes as hex, for checksum-named fetches', () => {
      const files = repository().publish();
      const trusted = new TrustedMetadata(options);
      trusted.updateRoot(files.root);
      trusted.updateTimestamp(files.timestamp);
      const hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
      expect(trusted.snapshotMeta()).toEqual({ length: files.snapshot.length, sha256Hex: hex(files.snapshot) });
      trusted.updateSnapshot(files.snapshot);
      expect(trusted.targetsMeta()).toEqual({ length: files.targets.length, sha256Hex: hex(files.targets) });
    });

    it('verifies against a root trusted before without fetching the root again', () => {
      const files = repository().publish();
      const trusted = new TrustedMetadata({ ...options, trustedRoot: files.root });
      trusted.updateTimestamp(files.timestamp);
      trusted.updateSnapshot(files.snapshot);
      trusted.updateTargets(files.targets);
      expect(trusted.result().roles[0]?.targets.v1?.digest).toBe(`sha256:${DIGEST_A}`);
    });

    it('accepts rsa, rsa-x509 and ecdsa-x509 keys for the top-level roles', () => {
      const repo = standardRepository(keys);
      repo.timestamp.keys = [makeKey('rsa')];
      repo.snapshot.keys = [makeKey('rsa-x509', { commonName: 'snapshot' })];
      repo.targets.keys = [makeKey('ecdsa-x509', { commonName: 'targets' })];
      repo.targets.targets = { v1: DIGEST_A };
      expect(verifyRepository(repo.publish(), options).result.roles[0]?.targets.v1).toBeDefined();
    });

    it('leaves out targets without a sha256 hash, which no image digest can match', () => {
      const repo = repository();
      repo.targets.edit = (signed) => {
        (signed.targets as Record<string, unknown>).legacy = { hashes: { sha512: 'AAAA' }, length: 1 };
      };
      expect(Object.keys(verifyRepository(repo.publish(), options).result.roles[0]!.targets)).toEqual(['v1', 'v2']);
    });
  });

  describe('when signatures do not verify', () => {
    it('refuses a timestamp whose signed content was altered after signing', () => {
      const files = repository().publish();
      files.timestamp = tamper(files.timestamp, (signed) => {
        signed.version = 99;
      });
      expect(trustErrorOf(() => verifyRepository(files, options)).code).toBe('SIGNATURE_INVALID');
    });

    it('refuses targets signed by a key the root does not list for the targets role', () => {
      const repo = repository();
      repo.targets.signers = [makeKey('ecdsa')];
      const error = trustErrorOf(() => verifyRepository(repo.publish(), options));
      expect(error.code).toBe('SIGNATURE_INVALID');
      expect(error.message).toMatch(/targets of docker.io\/acme\/app carries valid signatures from 0 of the 1/);
    });

    it('refuses a snapshot signed with the timestamp key', () => {
      const repo = repository();
      repo.snapshot.signers = [keys.timestamp];
      expect(trustErrorOf(() => verifyRepository(repo.publish(), options)).code).toBe('SIGNATURE_INVALID');
    });

    it('refuses a timestamp whose signing certificate is not valid at the evaluation instant', () => {
      const repo = repository();
      const shortLived = makeKey('ecdsa-x509', { commonName: 'timestamp', days: 1 });
      repo.timestamp.keys = [shortLived];
      const later = certificateWindow(shortLived).notAfterMs + HOUR_MS;
      const error = trustErrorOf(() => verifyRepository(repo.publish(), { ...options, nowMs: later }));
      expect(error.code).toBe('SIGNATURE_INVALID');
      expect(error.message).toContain('its certificate is not valid at');
    });

    it('says "not yet valid" for a timestamp whose signing certificate begins after the evaluation instant', () => {
      const repo = repository();
      const shortLived = makeKey('ecdsa-x509', { commonName: 'timestamp', days: 1 });
      repo.timestamp.keys = [shortLived];
      const earlier = certificateWindow(shortLived).notBeforeMs - 2 * DAY_MS;
      const error = trustErrorOf(() => verifyRepository(repo.publish(), { ...options, nowMs: earlier }));
      expect(error.message).toContain('its certificate is not yet valid at');
    });

    it('refuses metadata without signatures', () => {
      const repo = repository();
      repo.timestamp.signers = [];
      expect(trustErrorOf(() => verifyRepository(repo.publish(), options)).code).toBe('SIGNATURE_INVALID');
    });
  });

  describe('thresholds', () => {
    const second = makeKey('ecdsa');

    it('refuses a role signed by fewer distinct keys than its threshold', () => {
      const repo = repository();
      repo.targets.keys = [keys.targets, second];
      repo.targets.threshold = 2;
      repo.targets.signers = [keys.targets];
      expect(trustErrorOf(() => verifyRepository(repo.publish(), options)).code).toBe('SIGNATURE_INVALID');
    });

    it('counts several signatures by one key once', () => {
      const repo = repository();
      repo.targets.keys = [keys.targets, second];
      repo.targets.threshold = 2;
      repo.targets.signers = [keys.targets, keys.targets];
      expect(trustErrorOf(() => verifyRepository(repo.publish(), options)).code).toBe('SIGNATURE_INVALID');
    });

    it('accepts a threshold met by distinct keys', () => {
      const repo = repository();
      repo.targets.keys = [keys.targets, second];
      repo.targets.threshold = 2;
      expect(verifyRepository(repo.publish(), options).result.versions.targets).toBe(1);
    });

    it('ignores signatures by unknown keys', () => {
      const repo = repository();
      repo.targets.signers = [makeKey('ecdsa'), keys.targets];
      expect(verifyRepository(repo.publish(), options).result.versions.targets).toBe(1);
    });

    it('refuses a role whose threshold is below one', () => {
      const repo = repository();
      repo.timestamp.threshold = 0;
      expect(trustErrorOf(() => verifyRepository(repo.publish(), options)).code).toBe('NOTARY_ERROR');
    });
  });

  describe('hashes and lengths', () => {
    it('refuses a snapshot whose bytes differ from the hash the timestamp signed', () => {
      const repo = repository();
      const first = repo.publish();
      repo.snapshot.version = 2; // same length, other bytes
      const second = repo.publish();
      expect(second.snapshot.length).toBe(first.snapshot.length);
      const error = trustErrorOf(() => verifyRepository({ ...first, snapshot: second.snapshot }, options));
      expect(error.code).toBe('HASH_MISMATCH');
      expect(error.message).toMatch(/does not match the sha256/);
    });

    it('refuses targets whose length differs from what the snapshot signed', () => {
      const files = repository().publish();
      files.targets = Buffer.concat([files.targets, Buffer.from(' ')]);
      const error = trustErrorOf(() => verifyRepository(files, options));
      expect(error.code).toBe('HASH_MISMATCH');
      expect(error.message).toMatch(/bytes but \d+ bytes were signed/);
    });

    it('refuses a root other than the one the snapshot records', () => {
      const repo = repository();
      const first = repo.publish();
      repo.root.version = 2;
      const second = repo.publish();
      expect(trustErrorOf(() => verifyRepository({ ...first, root: second.root }, options)).code).toBe('HASH_MISMATCH');
    });

    it('refuses a snapshot when the timestamp records no supported hash', () => {
      const repo = repository();
      const files = repo.publish();
      repo.timestamp.edit = (signed) => {
        (signed.meta as { snapshot: { hashes: unknown } }).snapshot.hashes = { md5: 'AAAA' };
      };
      const { timestamp } = repo.publish();
      expect(trustErrorOf(() => verifyRepository({ ...files, timestamp }, options)).code).toBe('NOTARY_ERROR');
    });
  });

  describe('expiry at the evaluation instant', () => {
    it.each(['root', 'timestamp', 'snapshot', 'targets'] as const)('refuses an expired %s', (role) => {
      const repo = repository();
      repo[role].expiresAtMs = NOW - 1;
      const error = trustErrorOf(() => verifyRepository(repo.publish(), options));
      expect(error.code).toBe('METADATA_EXPIRED');
      expect(error.message).toContain(`the ${role} of ${GUN} expired at ${new Date(NOW - 1).toISOString()}`);
    });

    it('treats metadata as expired from its expiry instant on', () => {
      const repo = repository();
      repo.timestamp.expiresAtMs = NOW;
      expect(trustErrorOf(() => verifyRepository(repo.publish(), options)).code).toBe('METADATA_EXPIRED');
    });

    it('accepts the same data when evaluated before it expired', () => {
      const repo = repository();
      repo.timestamp.expiresAtMs = NOW + 1;
      expect(verifyRepository(repo.publish(), options).result.expiresAtMs).toBe(NOW + 1);
    });
  });

  describe('rollback', () => {
    it.each(['root', 'timestamp', 'snapshot', 'targets'] as const)(
      'refuses a %s older than the highest version seen',
      (role) => {
        const repo = repository();
        repo[role].version = 4;
        const error = trustErrorOf(() => verifyRepository(repo.publish(), { ...options, minVersions: { [role]: 5 } }));
        expect(error.code).toBe('ROLLBACK');
        expect(error.message).toMatch(/version 4, older than version 5/);
      },
    );

    it('accepts versions equal to the highest seen', () => {
      const repo = repository();
      const minVersions = { root: 1, timestamp: 1, snapshot: 1, targets: 1 };
      expect(verifyRepository(repo.publish(), { ...options, minVersions }).result.versions).toEqual(minVersions);
    });
  });

  describe('malformed metadata', () => {
    it('refuses bytes that are not JSON', () => {
      const files = repository().publish();
      expect(trustErrorOf(() => verifyRepository({ ...files, root: Buffer.from('<html>') }, options)).code).toBe(
        'NOTARY_ERROR',
      );
    });

    it('refuses metadata of the wrong type, naming the field', () => {
      const files = repository().publish();
      const trusted = new TrustedMetadata(options);
      trusted.updateRoot(files.root);
      const error = trustErrorOf(() => trusted.updateTimestamp(files.targets));
      expect(error.code).toBe('NOTARY_ERROR');
      expect(error.message).toMatch(/timestamp metadata is malformed at _type/);
    });

    it('refuses signed content that canonical JSON cannot encode (a fractional number)', () => {
      const repo = repository();
      repo.timestamp.edit = (signed) => {
        signed.custom = 1.5;
      };
      expect(trustErrorOf(() => verifyRepository(repo.publish(), options)).code).toBe('NOTARY_ERROR');
    });

    it('refuses invalid UTF-8', () => {
      const files = repository().publish();
      const bad = Buffer.concat([Buffer.from('{"signed":"'), Buffer.from([0xff]), Buffer.from('"}')]);
      expect(trustErrorOf(() => verifyRepository({ ...files, root: bad }, options)).code).toBe('NOTARY_ERROR');
    });
  });

  describe('call order', () => {
    it('refuses a snapshot before the timestamp and a timestamp before any root', () => {
      const files = repository().publish();
      expect(trustErrorOf(() => new TrustedMetadata(options).updateTimestamp(files.timestamp)).code).toBe(
        'NOTARY_ERROR',
      );
      const trusted = new TrustedMetadata(options);
      trusted.updateRoot(files.root);
      expect(trustErrorOf(() => trusted.updateSnapshot(files.snapshot)).message).toMatch(/before the timestamp/);
    });

    it('gives no result before the targets are loaded', () => {
      const files = repository().publish();
      const trusted = new TrustedMetadata(options);
      trusted.updateRoot(files.root);
      expect(trustErrorOf(() => trusted.result()).code).toBe('NOTARY_ERROR');
    });
  });
});
