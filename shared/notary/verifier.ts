/**
 * The Notary v1 SignatureVerifier: verified trust data per repository, from the TrustCache or the Notary server,
 * resolved against one image reference. Trust failures become verdicts with stable codes; this never throws for
 * them.
 */
import { createHash } from 'node:crypto';
import type { TrustCache } from '../cache/trust-cache-types';
import type { KeyValueStore } from '../cache/types';
import type { Clock } from '../clock';
import { NotaryGateError, TrustError, type VerdictCode } from '../errors';
import type { ImageReference } from '../image/types';
import type { Observer } from '../observer';
import type { NotarySettings, Rule } from '../policy/types';
import { type HttpTransport, NodeHttpTransport } from '../registry/http';
import { TokenAuthenticator } from '../registry/token-auth';
import type { ImageVerdict, SignatureVerifier, VerifyContext } from '../verify/types';
import { NotaryRepositoryClient } from './repository-client';
import { resolveImage } from './tuf/resolve';
import type { VerifiedTrust } from './tuf/types';

export const NOTARY_V1_FORMAT = 'notary-v1';
/** Defaults of the policy's `cache` settings, used when the caller passes none. */
export const DEFAULT_FRESH_TTL_MS = 300_000;
export const DEFAULT_MAX_STALE_MS = 3_600_000;

export interface NotaryVerifierDeps {
  readonly cache: TrustCache;
  /** Shared store for the TOFU root, role versions and tokens. */
  readonly store: KeyValueStore;
  readonly observer?: Observer;
  /** Defaults to the real node transport. */
  readonly http?: HttpTransport;
  readonly requestTimeoutMs?: number;
  /** How long verified data is used without asking Notary (the policy's cache.freshTtlSeconds). */
  readonly freshTtlMs?: number;
  /** How long verified data may stand in when Notary fails (the policy's cache.maxStaleSeconds). */
  readonly maxStaleMs?: number;
  /** Real time for token lifetimes (not the evaluation instant). */
  readonly clock?: Clock;
}

export class NotaryVerifier implements SignatureVerifier {
  readonly format = NOTARY_V1_FORMAT;
  readonly #client: NotaryRepositoryClient;
  readonly #freshTtlMs: number;
  readonly #maxStaleMs: number;

  constructor(private readonly deps: NotaryVerifierDeps) {
    const http = deps.http ?? new NodeHttpTransport();
    const tokens = new TokenAuthenticator({
      http,
      store: deps.store,
      observer: deps.observer,
      clock: deps.clock,
      requestTimeoutMs: deps.requestTimeoutMs,
    });
    this.#client = new NotaryRepositoryClient({
      http,
      store: deps.store,
      tokens,
      observer: deps.observer,
      requestTimeoutMs: deps.requestTimeoutMs,
    });
    this.#freshTtlMs = deps.freshTtlMs ?? DEFAULT_FRESH_TTL_MS;
    this.#maxStaleMs = deps.maxStaleMs ?? DEFAULT_MAX_STALE_MS;
  }

  supports(rule: Rule): boolean {
    return rule.notary !== undefined;
  }

  async verify(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<ImageVerdict> {
    const notary = rule.notary;
    if (!notary) return this.#denied('INTERNAL_ERROR', `The rule matching ${ref.name} has no notary settings.`);
    // Asked now, in the same tick as the trust cache, so that a cold repository costs one DynamoDB round trip; unused
    // (and harmless) when the cache has the verified data.
    const trustState = this.#client.readTrustState(notary.server, ref.name, ctx.nowMs);
    trustState.catch(() => undefined); // a failure surfaces from loadTrust, if the state is needed at all
    try {
      const { value: trust, source } = await this.deps.cache.getOrLoad<VerifiedTrust>(
        trustCacheKey(notary, ref.name),
        async () => {
          const loaded = await this.#client.loadTrust({
            trustState,
            server: notary.server,
            gun: ref.name,
            pinnedRootKeys: notary.rootKeys,
            ca: notary.ca,
            credentials: notary.auth,
            nowMs: ctx.nowMs,
            signal: ctx.signal,
          });
          return { value: loaded, expiresAtMs: loaded.expiresAtMs };
        },
        { nowMs: ctx.nowMs, freshTtlMs: this.#freshTtlMs, maxStaleMs: this.#maxStaleMs },
      );
      // Cached data was verified at an earlier instant: it must not outlive its own metadata.
      if (trust.expiresAtMs <= ctx.nowMs) {
        return this.#denied(
          'METADATA_EXPIRED',
          `The trust data of ${ref.name} expired at ${new Date(trust.expiresAtMs).toISOString()}; the publisher must re-sign it.`,
          source,
        );
      }
      const verdict = resolveImage(ref, trust, { requireDigest: rule.requireDigest, delegations: notary.delegations });
      return { ...verdict, format: this.format, source };
    } catch (error) {
      if (error instanceof TrustError) return this.#denied(error.code, error.message);
      if (error instanceof NotaryGateError) return this.#denied('INTERNAL_ERROR', error.message);
      // Fail closed: an unexpected error never admits.
      return this.#denied('INTERNAL_ERROR', `Verifying ${ref.name} failed unexpectedly: ${(error as Error).message}`);
    }
  }

  #denied(code: VerdictCode, reason: string, source?: ImageVerdict['source']): ImageVerdict {
    return { allowed: false, code, reason, format: this.format, ...(source && { source }) };
  }
}

/**
 * `notary-v1#<server>#<gun>#<pinned-keys fingerprint>`: data verified against one set of pinned keys is never
 * served for a rule that pins others (or none).
 */
export function trustCacheKey(notary: NotarySettings, gun: string): string {
  const server = notary.server.replace(/\/+$/, '');
  return `${NOTARY_V1_FORMAT}#${server}#${gun}#${pinsFingerprint(notary.rootKeys)}`;
}

/** Per pinned-keys list of the loaded policy: hashing the PEM text on every image costs the warm path ~10 us. */
const fingerprints = new WeakMap<readonly string[], string>();

function pinsFingerprint(rootKeys: readonly string[]): string {
  let fingerprint = fingerprints.get(rootKeys);
  if (fingerprint === undefined) {
    const pins = rootKeys.map((key) => key.trim()).sort();
    fingerprint = pins.length === 0 ? 'tofu' : createHash('sha256').update(pins.join('\n')).digest('hex').slice(0, 32);
    fingerprints.set(rootKeys, fingerprint);
  }
  return fingerprint;
}
