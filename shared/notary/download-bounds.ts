/**
 * What one repository's trust data may cost, whatever its metadata says: bytes per file (a fixed ceiling per role
 * type, below any length a parent records), bytes and HTTP requests per repository. A signed length is the
 * owner's claim, and an owner (or whoever holds a leaked key) can claim 2^40 bytes: before these ceilings a
 * timestamp recording a 1 TiB snapshot made the client stream until the deadline, at 1.5 GiB RSS.
 */
import { TrustError } from '../errors';
import { MAX_DELEGATED_ROLES } from './tuf/trusted-metadata';

/**
 * Per role type. Notary's own client allows 100 MiB per file (MaxDownloadSize) on a workstation; a Lambda of
 * 1 GiB cannot hold that parsed. Real files are far smaller: a root is a few certificates (~5 KiB); a timestamp
 * records one file (~1 KiB with signatures); a snapshot about 250 bytes per role; targets about 150 bytes per tag
 * (5 MiB is 30,000 tags; Docker Hub's largest official repositories have a few thousand).
 */
export const MAX_ROLE_BYTES = {
  root: 512 * 1024,
  timestamp: 64 * 1024,
  snapshot: 1024 * 1024,
  targets: 5 * 1024 * 1024,
  delegation: 5 * 1024 * 1024,
} as const;

/**
 * Bytes downloaded per repository, speculative fetches and refetches by checksum name included: a top-level
 * targets role and `targets/releases` at their ceilings, both fetched twice, fit; 64 delegations of 5 MiB do not.
 */
export const MAX_BYTES_PER_REPOSITORY = 32 * 1024 * 1024;

/**
 * HTTP requests to the Notary server per repository (token requests not counted; they are cached): the first
 * wave is 5, each further role at most 2 (checksum name, then plain name), and a 401 costs one retry each; with
 * MAX_DELEGATED_ROLES roles that is 2 * (5 + 64) plus room for challenges.
 */
export const MAX_REQUESTS_PER_REPOSITORY = 2 * (5 + MAX_DELEGATED_ROLES) + 16;

export type RoleType = keyof typeof MAX_ROLE_BYTES;

export function roleType(role: string): RoleType {
  return role === 'root' || role === 'timestamp' || role === 'snapshot' || role === 'targets' ? role : 'delegation';
}

/**
 * The most bytes to read for a role: min(recorded length, ceiling). A recorded length above the ceiling is refused
 * before anything is fetched.
 */
export function maxBytesFor(gun: string, role: string, recordedLength: number | undefined): number {
  const ceiling = MAX_ROLE_BYTES[roleType(role)];
  if (recordedLength !== undefined && recordedLength > ceiling) {
    throw new TrustError(
      'NOTARY_ERROR',
      `the trust data of ${gun} records ${role} metadata of ${recordedLength} bytes, more than the ${ceiling}-byte ` +
        `ceiling for ${roleType(role)} metadata: refused without downloading it`,
    );
  }
  return recordedLength ?? ceiling;
}

/** Requests and bytes left for one repository's verification. */
export class RepositoryBudget {
  #requests = 0;
  #bytes = 0;

  constructor(private readonly gun: string) {}

  /** Counts one request; refuses the one past MAX_REQUESTS_PER_REPOSITORY. */
  request(): void {
    this.#requests += 1;
    if (this.#requests > MAX_REQUESTS_PER_REPOSITORY) {
      throw new TrustError(
        'NOTARY_ERROR',
        `verifying ${this.gun} needs more than ${MAX_REQUESTS_PER_REPOSITORY} requests to its Notary server: refused`,
      );
    }
  }

  /** The bytes a response may still have: at most `maxBytes`, at most what is left of the repository's budget. */
  allow(maxBytes: number): number {
    const left = MAX_BYTES_PER_REPOSITORY - this.#bytes;
    if (left <= 0) {
      throw new TrustError(
        'NOTARY_ERROR',
        `the trust data of ${this.gun} is larger than ${MAX_BYTES_PER_REPOSITORY} bytes in all: refused`,
      );
    }
    return Math.min(maxBytes, left);
  }

  received(bytes: number): void {
    this.#bytes += bytes;
  }

  get requests(): number {
    return this.#requests;
  }
}
