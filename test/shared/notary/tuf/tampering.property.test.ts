import fc from 'fast-check';
import { TrustError } from '../../../../shared/errors';
import { makeKey } from './support/keys';
import { type RepositoryFiles, verifyRepository } from './support/repository';
import { DIGEST_A, DIGEST_B, GUN, instantFor, standardKeys, standardRepository } from './support/standard-repository';

const keys = standardKeys();
const options = { gun: GUN, nowMs: instantFor(keys), pinnedRootKeys: [] as string[] };
const repo = standardRepository(keys);
repo.targets.targets = { v1: DIGEST_A };
repo.delegate('targets/releases', [makeKey('ecdsa')], { v1: DIGEST_B });
const files = repo.publish();
const genuine = verifyRepository(files, options).result;

type FileName = 'root' | 'timestamp' | 'snapshot' | 'targets' | 'targets/releases';
const FILE_NAMES: FileName[] = ['root', 'timestamp', 'snapshot', 'targets', 'targets/releases'];

function withChangedByte(name: FileName, position: number, value: number): RepositoryFiles {
  const copy: RepositoryFiles = { ...files, delegated: { ...files.delegated } };
  const original = name === 'targets/releases' ? files.delegated[name]! : files[name];
  const changed = Buffer.from(original);
  const at = position % changed.length;
  changed[at] = changed[at] === value ? (value + 1) % 256 : value;
  if (name === 'targets/releases') copy.delegated[name] = changed;
  else copy[name] = changed;
  return copy;
}

describe('trust data changed by someone without the keys', () => {
  it('never verifies to signed digests other than the genuine ones', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FILE_NAMES),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (name, position, value) => {
          let result: ReturnType<typeof verifyRepository>['result'];
          try {
            result = verifyRepository(withChangedByte(name, position, value), options).result;
          } catch (error) {
            expect(error).toBeInstanceOf(TrustError);
            return;
          }
          // a change notary also ignores (e.g. the case of a signature method) may verify, but to the same data
          expect(result.roles).toEqual(genuine.roles);
        },
      ),
      { numRuns: 150, seed: 20261127 },
    );
  });
});
