import { createHash } from 'node:crypto';
import { TrustError } from '../../errors';
import type { FileMeta } from './metadata';
import type { ExpectedFile } from './types';

/** Hash algorithms notary records (tuf/data/types.go NotaryDefaultHashes), as node names them. */
const SUPPORTED_HASHES = ['sha256', 'sha512'] as const;

/**
 * TUF client workflow: the raw bytes of a file must have exactly the length and hashes its parent recorded
 * (timestamp -> snapshot, snapshot -> root, targets, delegations). Notary writes hashes as base64; at least one
 * supported hash must be present (tuf/data/types.go CheckHashes), and every supported one present must match.
 */
export function checkFileMeta(what: string, bytes: Uint8Array, meta: FileMeta): void {
  if (bytes.length !== meta.length) {
    throw new TrustError(
      'HASH_MISMATCH',
      `${what} is ${bytes.length} bytes but ${meta.length} bytes were signed: the file was altered or replaced`,
    );
  }
  const present = SUPPORTED_HASHES.filter((algorithm) => Object.hasOwn(meta.hashes, algorithm));
  if (present.length === 0) {
    throw new TrustError('NOTARY_ERROR', `${what}: its parent records no sha256 or sha512 hash`);
  }
  for (const algorithm of present) {
    const actual = createHash(algorithm).update(bytes).digest('base64');
    if (actual !== meta.hashes[algorithm]) {
      throw new TrustError(
        'HASH_MISMATCH',
        `${what} does not match the ${algorithm} its parent signed: the file was altered or replaced`,
      );
    }
  }
}

/** Length and hex sha256 of a file, for size caps and checksum-named fetches (`<role>.<hex>.json`). */
export function expectedFile(meta: FileMeta | undefined): ExpectedFile {
  if (!meta) return {};
  const sha256 = meta.hashes.sha256;
  const raw = sha256 === undefined ? undefined : Buffer.from(sha256, 'base64');
  // a malformed hash gives no checksum name; checkFileMeta refuses the file later anyway
  const sha256Hex = raw?.length === 32 ? raw.toString('hex') : undefined;
  return { length: meta.length, ...(sha256Hex ? { sha256Hex } : {}) };
}
