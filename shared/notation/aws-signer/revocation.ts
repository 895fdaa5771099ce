/**
 * AWS Signer revocation: one GetRevocationStatus per signature, answers cached for a bounded time.
 *
 * Outcomes as the plugin reports them: a non-empty `revokedEntities` is REVOKED (ARNs of a revoked profile version
 * or job, or certificate hashes); a call that fails or runs out of time is REVOCATION_UNAVAILABLE. The trust
 * policy's level then enforces or logs either. Only answers are cached (never failures), keyed by everything the
 * query holds, so another signature, chain or region is another entry. Concurrent checks of one signature share
 * one call. The verdict cache in front of the Notation format keeps all of this off the warm path.
 */

import { createHash } from 'node:crypto';
import { BoundedMap } from '../../cache/bounded-map';
import { SingleFlight } from '../../cache/single-flight';
import type { Clock } from '../../clock';
import type { CheckOutcome } from '../types';
import type { RevocationQuery, SignerRevocationApi } from './signer-api';

/**
 * A "not revoked" answer is reused for 5 minutes: the default freshness of the trust cache (policy
 * `cache.freshTtlSeconds`), so a revocation in AWS Signer reaches admissions as fast as a Notary change does.
 */
export const REVOCATION_CACHE_TTL_MS = 5 * 60_000;
/** Signatures remembered per process: each entry is a few hundred bytes; 1000 covers a large cluster's images. */
export const MAX_REVOCATION_CACHE_ENTRIES = 1000;

export interface SignerRevocationOptions {
  readonly api: SignerRevocationApi;
  readonly clock: Clock;
  readonly ttlMs?: number;
  readonly maxEntries?: number;
}

interface CachedAnswer {
  readonly revokedEntities: readonly string[];
  readonly expiresAtMs: number;
}

export class SignerRevocation {
  private readonly answers: BoundedMap<string, CachedAnswer>;
  /**
   * One call per signature for concurrent checks. The call runs with the flight's own signal, never the first
   * admission's: each admission stops waiting at its own deadline while the call goes on for the others, bounded by
   * the API's own attempt timeouts (SIGNER_ATTEMPT_TIMEOUT_MS per attempt) and aborted once nobody waits.
   */
  private readonly flights = new SingleFlight<string, readonly string[]>();
  private readonly ttlMs: number;

  constructor(private readonly options: SignerRevocationOptions) {
    this.ttlMs = options.ttlMs ?? REVOCATION_CACHE_TTL_MS;
    this.answers = new BoundedMap(options.maxEntries ?? MAX_REVOCATION_CACHE_ENTRIES);
  }

  /** The revocation outcome of one signature; never rejects (a failed call is an outcome). */
  async check(query: RevocationQuery, signal: AbortSignal): Promise<CheckOutcome> {
    try {
      return outcomeOf(await this.revokedEntities(query, signal));
    } catch (error) {
      return {
        ok: false,
        code: 'REVOCATION_UNAVAILABLE',
        reason: `AWS Signer GetRevocationStatus in ${query.region} failed: ${describe(error, signal)}`,
      };
    }
  }

  private async revokedEntities(query: RevocationQuery, signal: AbortSignal): Promise<readonly string[]> {
    signal.throwIfAborted();
    const key = cacheKey(query);
    const cached = this.answers.get(key);
    const nowMs = this.options.clock();
    if (cached && cached.expiresAtMs > nowMs) return cached.revokedEntities;
    if (cached) this.answers.delete(key);
    return this.flights.run(
      key,
      async (shared) => {
        const entities = await this.options.api.getRevocationStatus(query, shared);
        this.remember(key, entities);
        return entities;
      },
      signal,
    );
  }

  private remember(key: string, revokedEntities: readonly string[]): void {
    this.answers.set(key, { revokedEntities: [...revokedEntities], expiresAtMs: this.options.clock() + this.ttlMs });
  }
}

/** The plugin's reasons: the revoked ARNs by name, certificates as one sentence. */
export function outcomeOf(revokedEntities: readonly string[]): CheckOutcome {
  if (revokedEntities.length === 0) return { ok: true };
  const arns = revokedEntities.filter((entity) => entity.startsWith('arn'));
  const parts = [
    ...(arns.length > 0 ? [`AWS Signer revoked ${arns.join(', ')}`] : []),
    ...(arns.length < revokedEntities.length ? ['AWS Signer revoked a certificate of the signature chain'] : []),
  ];
  return { ok: false, code: 'REVOKED', reason: parts.join('; ') };
}

function cacheKey(query: RevocationQuery): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        query.region,
        query.signatureTimestampMs,
        query.platformId,
        query.profileVersionArn,
        query.jobArn,
        query.certificateHashes,
      ]),
    )
    .digest('hex');
}

function describe(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'the admission deadline passed before AWS answered';
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
