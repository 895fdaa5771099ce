import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trustErrorOf } from './support/expect';
import { type RepositoryFiles, verifyRepository } from './support/repository';

/** Root rotation made by the real notary client (`notary key rotate … root`): see the fixture's SOURCE.md. */
const FIXTURE = join(__dirname, '../../../fixtures/notary/tuf-root-rotation');
const GUN = 'docker.io/b1/rotate';
const options = { gun: GUN, nowMs: Date.parse('2026-11-27T17:10:00Z'), pinnedRootKeys: [] as string[] };

function stage(name: 'before' | 'after' | 'reinitialised'): RepositoryFiles {
  const read = (role: string) => readFileSync(join(FIXTURE, name, `${role}.json`));
  return {
    root: read('root'),
    timestamp: read('timestamp'),
    snapshot: read('snapshot'),
    targets: read('targets'),
    delegated: {},
  };
}

describe('a root rotated by the real notary client', () => {
  const before = verifyRepository(stage('before'), options).result;
  const trustedRoot = Buffer.from(before.root, 'base64');

  it('is accepted by a client that trusted the previous root, which signed the rotation', () => {
    const { result } = verifyRepository(stage('after'), { ...options, trustedRoot, minVersions: before.versions });
    expect(result.rootVersion).toBe(2);
    expect(result.roles[0]?.targets.v1?.digest).toBe(`sha256:${'f'.repeat(64)}`);
  });

  it('refuses the previous root once the new one is trusted, which never signed it', () => {
    const after = verifyRepository(stage('after'), { ...options, trustedRoot }).result;
    const error = trustErrorOf(() =>
      verifyRepository(stage('before'), { ...options, trustedRoot: Buffer.from(after.root, 'base64') }),
    );
    expect(error.code).toBe('ROOT_UNTRUSTED');
    expect(error.message).toContain('version 1, older than 2');
  });

  it('refuses with ROOT_UNTRUSTED trust data re-initialised with keys the trusted root never signed', () => {
    const after = verifyRepository(stage('after'), { ...options, trustedRoot }).result;
    const error = trustErrorOf(() =>
      verifyRepository(stage('reinitialised'), { ...options, trustedRoot: Buffer.from(after.root, 'base64') }),
    );
    expect(error.code).toBe('ROOT_UNTRUSTED');
  });

  it('trusts the re-initialised data on first use, when nothing was trusted before', () => {
    const { result } = verifyRepository(stage('reinitialised'), options);
    expect(result.roles[0]?.targets.v1?.digest).toBe(`sha256:${'9'.repeat(64)}`);
  });
});
