import { certificateWindow, makeKey, type TestKey } from './keys';
import { HOUR_MS, RepositoryFixture } from './repository';

export const GUN = 'docker.io/acme/app';

/** Keys shaped as notary-server makes them: root ecdsa-x509 (CN = GUN), timestamp ed25519, others ecdsa. */
export interface StandardKeys {
  root: TestKey;
  timestamp: TestKey;
  snapshot: TestKey;
  targets: TestKey;
}

export function standardKeys(gun = GUN): StandardKeys {
  return {
    root: makeKey('ecdsa-x509', { commonName: gun }),
    timestamp: makeKey('ed25519'),
    snapshot: makeKey('ecdsa'),
    targets: makeKey('ecdsa'),
  };
}

/** The evaluation instant of a test: an hour into the root certificate's validity (certificates use real time). */
export function instantFor(keys: StandardKeys): number {
  return certificateWindow(keys.root).notBeforeMs + HOUR_MS;
}

export function standardRepository(keys: StandardKeys, gun = GUN): RepositoryFixture {
  return new RepositoryFixture(gun, instantFor(keys), {
    root: [keys.root],
    timestamp: [keys.timestamp],
    snapshot: [keys.snapshot],
    targets: [keys.targets],
  });
}

export const DIGEST_A = 'a'.repeat(64);
export const DIGEST_B = 'b'.repeat(64);
export const DIGEST_C = 'c'.repeat(64);
