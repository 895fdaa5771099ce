/**
 * The Notary v1 SignatureVerifier: verified trust data per repository, from the TrustCache or the Notary server,
 * resolved against one image reference. Trust failures become verdicts with stable codes; this never throws for
 * them.
 */
import type { TrustCache } from '../cache/trust-cache-types';
import type { KeyValueStore } from '../cache/types';
import type { Clock } from '../clock';
import { NotaryGateError, TrustError, type VerdictCode } from '../errors';
import type { ImageReference } from '../image/types';
import type { Observer } from '../observer';
import { POLICY_DEFAULTS } from '../policy/defaults';
import type { NotarySettings, Rule } from '../policy/types';
import type { RegistryClient } from '../registry/client';
import type { Descriptor } from '../registry/descriptor';
import { type HttpTransport, NodeHttpTransport } from '../registry/http';
import { IndexListings } from '../registry/index-listings';
import type { RegistriesConfig } from '../registry/settings';
import { TokenAuthenticator } from '../registry/token-auth';
import { cacheKey } from '../verify/cache-key';
import type { DigestResolution, ImageVerdict, SignatureVerifier, VerifyContext } from '../verify/types';
import { NOTARY_V1_FORMAT } from './format-name';
import { indexCandidates, vouchingApplies, vouchThroughIndex } from './index-vouching';
import { NotaryRepositoryClient } from './repository-client';
import { confirmTag, type TagCheck, tagResolutionApplies } from './tag-resolution';
import { type TrustIdentity, trustIdentity } from './trust-identity';
import { type TrustState, TrustStateStore } from './trust-state';
import { resolveImage } from './tuf/resolve';
import type { VerifiedTrust } from './tuf/types';

export { NOTARY_V1_FORMAT };
/** The policy's `cache` defaults, used when the caller passes none. */
export const DEFAULT_FRESH_TTL_MS = POLICY_DEFAULTS.freshTtlSeconds * 1000;
export const DEFAULT_MAX_STALE_MS = POLICY_DEFAULTS.maxStaleSeconds * 1000;

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
  /**
   * The OCI registry client and the policy's `registries:`, for the hosts named there: a digest that is not itself
   * signed is admitted when a signed image index the registry serves lists it (index-vouching.ts), and under
   * `requireDigest: false` a tag only while the registry serves the signed digest for it (tag-resolution.ts).
   * Absent: the signed data alone decides, with no registry traffic.
   */
  readonly registry?: RegistryClient;
  readonly registries?: RegistriesConfig;
}

export class NotaryVerifier implements SignatureVerifier {
  readonly format = NOTARY_V1_FORMAT;
  readonly unreachableCode = 'NOTARY_UNREACHABLE';
  readonly #client: NotaryRepositoryClient;
  readonly #trustState: TrustStateStore;
  readonly #freshTtlMs: number;
  readonly #maxStaleMs: number;
  /** What each signed digest is (index or not, what it lists): content-addressed, kept for warm vouching. */
  readonly #listings: IndexListings | undefined;

  constructor(private readonly deps: NotaryVerifierDeps) {
    const http = deps.http ?? new NodeHttpTransport();
    const tokens = new TokenAuthenticator({
      http,
      store: deps.store,
      observer: deps.observer,
      clock: deps.clock,
      requestTimeoutMs: deps.requestTimeoutMs,
    });
    this.#trustState = new TrustStateStore({ store: deps.store, observer: deps.observer });
    this.#client = new NotaryRepositoryClient({
      http,
      trustState: this.#trustState,
      tokens,
      observer: deps.observer,
      requestTimeoutMs: deps.requestTimeoutMs,
    });
    this.#freshTtlMs = deps.freshTtlMs ?? DEFAULT_FRESH_TTL_MS;
    this.#maxStaleMs = deps.maxStaleMs ?? DEFAULT_MAX_STALE_MS;
    this.#listings = deps.registry ? new IndexListings(deps.registry) : undefined;
  }

  supports(rule: Rule): boolean {
    return rule.notary !== undefined;
  }

  async verify(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<ImageVerdict> {
    return (await this.#evaluate(ref, rule, ctx)).verdict;
  }

  async #evaluate(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<TagCheck> {
    const notary = rule.notary;
    if (!notary) return this.#result('INTERNAL_ERROR', `The rule matching ${ref.name} has no notary settings.`);
    const { registry, registries } = this.deps;
    const listings = this.#listings;
    // The registry's digest for the tag is asked concurrently with the trust data: a cold admission pays no extra
    // wave for it. Its answer is used only when the trust data signs the tag.
    let current: Promise<Descriptor> | undefined;
    if (registry && listings && tagResolutionApplies(ref, rule, registries)) {
      current = registry.resolve({ host: ref.domain.toLowerCase(), repository: ref.path }, ref.tag!, {
        signal: ctx.signal,
      });
      current.catch(() => undefined); // surfaces from confirmTag, when the tag is signed
    }
    try {
      const identity = trustIdentity(notary, ref.name);
      // The remembered root and floors are read from the shared store only on a trip to Notary (never from memory:
      // another instance may have seen a rotation), and, when the trust cache misses memory too, in the same tick
      // as its read, so that a cold repository costs one DynamoDB round trip.
      let trustState: Promise<TrustState> | undefined;
      const readTrustState = () => {
        if (!trustState) {
          trustState = this.#trustState.read(identity, ctx.nowMs);
          trustState.catch(() => undefined); // surfaces from loadTrust, if Notary is asked at all
        }
        return trustState;
      };
      const { value: trust, source } = await this.deps.cache.getOrLoad<VerifiedTrust>(
        cacheKeyOf(identity),
        async (signal) => {
          const loaded = await this.#client.loadTrust({
            identity,
            trustState: readTrustState(),
            server: notary.server,
            gun: ref.name,
            pinnedRootKeys: notary.rootKeys,
            ca: notary.ca,
            credentials: notary.auth,
            ...(notary.tokenRealmHosts && { tokenRealmHosts: notary.tokenRealmHosts }),
            nowMs: ctx.nowMs,
            // The flight's signal, not this admission's: others may be waiting on the same load.
            signal,
          });
          return { value: loaded, expiresAtMs: loaded.expiresAtMs };
        },
        {
          nowMs: ctx.nowMs,
          freshTtlMs: this.#freshTtlMs,
          maxStaleMs: this.#maxStaleMs,
          onSharedRead: readTrustState,
          signal: ctx.signal,
        },
      );
      // Cached data was verified at an earlier instant: it must not outlive its own metadata.
      if (trust.expiresAtMs <= ctx.nowMs) {
        return this.#result(
          'METADATA_EXPIRED',
          `The trust data of ${ref.name} expired at ${new Date(trust.expiresAtMs).toISOString()}; the publisher must re-sign it.`,
          source,
        );
      }
      const verdict = resolveImage(ref, trust, { requireDigest: rule.requireDigest, delegations: notary.delegations });
      if (current && listings && verdict.allowed) {
        // From here on only the registry is awaited: at the deadline, it is the origin that did not answer.
        ctx.waitingOn?.('REGISTRY_UNREACHABLE');
        const checked = await confirmTag(ref, verdict, current, trust, notary.delegations, { listings }, ctx);
        return { ...checked, verdict: { ...checked.verdict, format: this.format, source } };
      }
      if (
        !verdict.allowed &&
        ref.digest !== undefined &&
        (verdict.code === 'NOT_SIGNED' || verdict.code === 'DIGEST_MISMATCH') &&
        listings &&
        vouchingApplies(ref, registries)
      ) {
        const candidates = indexCandidates(ref, trust, notary.delegations);
        if (candidates.length > 0) ctx.waitingOn?.('REGISTRY_UNREACHABLE');
        const vouched = await vouchThroughIndex(ref, verdict, candidates, { listings }, ctx);
        return { verdict: { ...vouched, format: this.format, source } };
      }
      return { verdict: { ...verdict, format: this.format, source } };
    } catch (error) {
      if (error instanceof TrustError) return this.#result(error.code, error.message);
      // This admission's deadline passed while it waited (its wait on a shared load rejects with the signal's
      // reason, not with a transport error): Notary did not answer in time.
      if (ctx.signal.aborted)
        return this.#result(
          'NOTARY_UNREACHABLE',
          `The admission deadline passed before Notary answered for ${ref.name}.`,
        );
      if (error instanceof NotaryGateError) return this.#result('INTERNAL_ERROR', error.message);
      // Fail closed: an unexpected error never admits.
      return this.#result('INTERNAL_ERROR', `Verifying ${ref.name} failed unexpectedly: ${(error as Error).message}`);
    }
  }

  /**
   * The tag's signed digest, for `/mutate`: the same verified trust data and the same resolution as `verify` (the
   * first trusted role that signs the tag, `targets/releases` then `targets` or the rule's `delegations`, as docker
   * resolves it), so the pin is exactly the digest `/validate` then admits for `name:tag@digest`. Shares the trust
   * cache with `verify`: the validating call that follows a pin is a memory hit.
   */
  async resolveSignedDigest(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<DigestResolution> {
    const tagOnly: ImageReference = ref.digest === undefined ? ref : { ...ref, digest: undefined };
    const { verdict, currentDigest } = await this.#evaluate(tagOnly, rule, ctx);
    // resolveImage names the signed digest of a tag-only reference exactly when the trust data verified and the tag
    // is signed in a trusted role: SIGNED (requireDigest false) or DIGEST_REQUIRED. Nothing else may pin. Where the
    // registry was asked for the tag (tag-resolution.ts), the pin is the digest it serves and validation admitted:
    // the signed one, or a platform manifest of the signed index; a moved tag is denied there and pins nothing.
    if (verdict.signedDigest !== undefined && (verdict.code === 'SIGNED' || verdict.code === 'DIGEST_REQUIRED')) {
      const digest = currentDigest ?? verdict.signedDigest;
      return {
        digest,
        reason:
          digest === verdict.signedDigest
            ? `${ref.name}:${ref.tag} is signed with ${digest}`
            : `${ref.name}:${ref.tag} is served as ${digest}, a platform manifest of the signed index ${verdict.signedDigest}`,
        ...(verdict.source && { source: verdict.source }),
      };
    }
    return { digest: undefined, code: verdict.code, reason: verdict.reason };
  }

  #result(code: VerdictCode, reason: string, source?: ImageVerdict['source']): TagCheck {
    return { verdict: this.#denied(code, reason, source) };
  }

  #denied(code: VerdictCode, reason: string, source?: ImageVerdict['source']): ImageVerdict {
    return { allowed: false, code, reason, format: this.format, ...(source && { source }) };
  }
}

/**
 * `notary-v1#<server>#<gun, host lower-cased>#<pins>` (see trust-identity.ts; the shape is shared/verify/cache-key.ts):
 * one repository has one entry, and data verified against one set of pinned keys is never served for a rule that
 * pins others (or none).
 */
export function trustCacheKey(notary: Pick<NotarySettings, 'server' | 'rootKeys'>, gun: string): string {
  return cacheKeyOf(trustIdentity(notary, gun));
}

function cacheKeyOf(identity: TrustIdentity): string {
  return cacheKey(NOTARY_V1_FORMAT, identity.server, identity.gunKey, identity.pins);
}
