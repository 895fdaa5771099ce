import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageReference } from '../../../../shared/image/types';
import { resolveImage } from '../../../../shared/notary/tuf/resolve';
import { trustErrorOf } from './support/expect';
import { makeKey } from './support/keys';
import { DAY_MS, type RepositoryFiles, verifyRepository } from './support/repository';

/** Trust data published by the real notary client to a real notary-server (see each folder's SOURCE.md). */
const FIXTURES = join(__dirname, '../../../fixtures/notary');

function load(folder: string): RepositoryFiles {
  const read = (role: string) => readFileSync(join(FIXTURES, folder, `${role}.json`));
  return {
    root: read('root'),
    timestamp: read('timestamp'),
    snapshot: read('snapshot'),
    targets: read('targets'),
    delegated: { 'targets/releases': read('targets/releases') },
  };
}

/** The PEM certificate of the root key, as a user would pin it (copied out of root.json). */
function rootCertificate(files: RepositoryFiles): string {
  const root = JSON.parse(files.root.toString('utf8')).signed;
  const [rootKeyId] = root.roles.root.keyids as string[];
  return Buffer.from(root.keys[rootKeyId!].keyval.public, 'base64').toString('utf8');
}

function ref(name: string, tag: string | undefined, digest?: string): ImageReference {
  const reference = `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { original: reference, domain: 'docker.io', path: name.slice(10), name, tag, digest, reference };
}

const cases = [
  {
    folder: 'tuf-local-ed25519',
    gun: 'docker.io/b1/app',
    capturedAtMs: Date.parse('2026-11-27T16:57:40Z'),
    timestampMethod: 'eddsa',
    expected: { targets: { v1: 'a' }, 'targets/releases': { v2: 'b' } },
  },
  {
    folder: 'tuf-signer-ecdsa',
    gun: 'docker.io/b1/signed',
    capturedAtMs: Date.parse('2026-11-27T16:58:33Z'),
    timestampMethod: 'ecdsa',
    expected: { targets: { v1: 'c' }, 'targets/releases': { v1: 'd', v2: 'e' } },
  },
];

describe.each(cases)(
  'trust data made by the real notary ($folder)',
  ({ folder, gun, capturedAtMs, timestampMethod, expected }) => {
    const files = load(folder);
    const options = { gun, nowMs: capturedAtMs, pinnedRootKeys: [] as string[] };

    it(`has a timestamp signed with ${timestampMethod}`, () => {
      expect(JSON.parse(files.timestamp.toString('utf8')).signatures[0].method).toBe(timestampMethod);
    });

    it('verifies at the instant it was captured, with every signed tag and its digest', () => {
      const { result, outcomes } = verifyRepository(files, options);
      expect(outcomes).toEqual({ 'targets/releases': 'loaded' });
      const digests = Object.fromEntries(
        result.roles.map(({ role, targets }) => [
          role,
          Object.fromEntries(Object.entries(targets).map(([tag, t]) => [tag, t.digest])),
        ]),
      );
      const want = Object.fromEntries(
        Object.entries(expected).map(([role, tags]) => [
          role,
          Object.fromEntries(Object.entries(tags).map(([tag, c]) => [tag, `sha256:${c.repeat(64)}`])),
        ]),
      );
      expect(digests).toEqual(want);
      expect(result.skippedRoles).toEqual([]);
    });

    it('verifies with its root certificate pinned, and refuses another pinned key', () => {
      expect(() => verifyRepository(files, { ...options, pinnedRootKeys: [rootCertificate(files)] })).not.toThrow();
      const other = { ...options, pinnedRootKeys: [makeKey('ecdsa').publicPem] };
      expect(trustErrorOf(() => verifyRepository(files, other)).code).toBe('ROOT_UNTRUSTED');
    });

    it('is refused as METADATA_EXPIRED a year later', () => {
      expect(trustErrorOf(() => verifyRepository(files, { ...options, nowMs: capturedAtMs + 365 * DAY_MS })).code).toBe(
        'METADATA_EXPIRED',
      );
    });

    it('is refused as ROOT_UNTRUSTED for another repository name', () => {
      expect(trustErrorOf(() => verifyRepository(files, { ...options, gun: 'docker.io/b1/other' })).code).toBe(
        'ROOT_UNTRUSTED',
      );
    });

    it('is refused as HASH_MISMATCH when one byte of targets.json changes', () => {
      const targets = Buffer.from(files.targets);
      const at = targets.indexOf('"length":') + 9;
      targets[at] = targets[at] === 0x31 ? 0x32 : 0x31;
      expect(trustErrorOf(() => verifyRepository({ ...files, targets }, options)).code).toBe('HASH_MISMATCH');
    });

    it('is refused as ROLLBACK when a newer timestamp was seen before', () => {
      const version = JSON.parse(files.timestamp.toString('utf8')).signed.version as number;
      const minVersions = { timestamp: version + 1 };
      expect(trustErrorOf(() => verifyRepository(files, { ...options, minVersions })).code).toBe('ROLLBACK');
    });
  },
);

describe('resolving against real notary data', () => {
  const gun = 'docker.io/b1/signed';
  const { result } = verifyRepository(load('tuf-signer-ecdsa'), {
    gun,
    nowMs: Date.parse('2026-11-27T16:58:33Z'),
    pinnedRootKeys: [],
  });

  it('resolves a tag in targets/releases before targets, as docker does', () => {
    expect(resolveImage(ref(gun, 'v1'), result, { requireDigest: false }).signedDigest).toBe(
      `sha256:${'d'.repeat(64)}`,
    );
    expect(resolveImage(ref(gun, 'v1', `sha256:${'c'.repeat(64)}`), result, { requireDigest: true }).code).toBe(
      'DIGEST_MISMATCH',
    );
  });

  it('admits a digest signed for some tag', () => {
    expect(resolveImage(ref(gun, undefined, `sha256:${'e'.repeat(64)}`), result, { requireDigest: true }).code).toBe(
      'SIGNED',
    );
  });
});

describe('Docker Hub trust data for docker.io/library/alpine (captured 2018, fixture of the Notary client tests)', () => {
  const read = (role: string) => readFileSync(join(FIXTURES, 'dockerhub-alpine', `${role}.json`));
  const files: RepositoryFiles = {
    root: read('root'),
    timestamp: read('timestamp'),
    snapshot: read('snapshot'),
    targets: read('targets'),
    delegated: {},
  };
  const gun = 'docker.io/library/alpine';
  const options = { gun, nowMs: Date.parse('2018-08-01T00:00:00Z'), pinnedRootKeys: [] as string[] };

  it('verifies at its capture instant, and latest resolves to the digest Docker Hub signed', () => {
    const { result } = verifyRepository(files, options);
    expect(result.versions).toEqual({ root: 1, timestamp: 383, snapshot: 331, targets: 323 });
    expect(resolveImage(ref(gun, 'latest'), result, { requireDigest: false }).signedDigest).toBe(
      'sha256:7043076348bf5040220df6ad703798fd8593a0918d06d3ce30c6c93be117e430',
    );
  });

  it('is refused as METADATA_EXPIRED today', () => {
    expect(
      trustErrorOf(() => verifyRepository(files, { ...options, nowMs: Date.parse('2026-11-27T00:00:00Z') })).code,
    ).toBe('METADATA_EXPIRED');
  });
});
