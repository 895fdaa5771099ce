/**
 * The Notation SignatureVerifier: the trust policy statement the image selects, the registry's descriptor of the
 * image, its signatures tried (discovery.ts), the verdict cached per digest and statement fingerprint. Trust failures
 * become verdicts with codes; this never throws for them and never admits on an unexpected error.
 */
import type { TrustCache } from '../cache/trust-cache-types';
import { NotaryGateError, TrustError, type VerdictCode } from '../errors';
import type { ImageReference } from '../image/types';
import { POLICY_DEFAULTS } from '../policy/defaults';
import type { Rule } from '../policy/types';
import type { RegistryClient, RepositoryRef } from '../registry/client';
import type { ReferrersResult } from '../registry/referrers';
import type {
  DigestResolution,
  ImageVerdict,
  SignatureInspection,
  SignatureRecord,
  SignatureReport,
  SignatureVerifier,
  TrustSource,
  VerifyContext,
} from '../verify/types';
import { listSignatures, verifyArtifact, verifyEachSignature } from './discovery';
import { NOTATION_FORMAT } from './format-name';
import type { Descriptor } from './payload';
import { selectStatement, type TrustPolicyStatement } from './policy/trust-policy';
import type { NotationSettings } from './settings';
import type { PluginRegistry, RevocationChecker, TimestampVerifier } from './types';

export { NOTATION_FORMAT };
/** The policy's `cache` defaults, used when the caller passes none. */
export const DEFAULT_FRESH_TTL_MS = POLICY_DEFAULTS.freshTtlSeconds * 1000;
export const DEFAULT_MAX_STALE_MS = POLICY_DEFAULTS.maxStaleSeconds * 1000;
/** A verified result with nothing in the signature that ends it is still re-verified at least this often. */
const MAX_RESULT_LIFETIME_MS = 24 * 3_600_000;

export interface NotationVerifierDeps {
  readonly cache: TrustCache;
  readonly registry: RegistryClient;
  readonly timestamps?: TimestampVerifier;
  readonly revocation?: RevocationChecker;
  readonly plugins?: PluginRegistry;
  readonly freshTtlMs?: number;
  readonly maxStaleMs?: number;
  readonly maxAttempts?: number;
}

/** What is cached per verified image: enough for the verdict and the decision log. */
export interface VerifiedImage {
  readonly digest: string;
  /** Digest of the signature manifest that verified. */
  readonly signature: string;
  readonly signer: string;
  readonly chainSha256: readonly string[];
  readonly warnings: readonly string[];
  readonly expiresAtMs: number;
}

/** The rule's `notation` section (typed by the format module's declaration in module.ts). */
const notationOf = (rule: Rule): NotationSettings | undefined => (rule as { notation?: NotationSettings }).notation;

export class NotationVerifier implements SignatureVerifier {
  readonly format = NOTATION_FORMAT;
  readonly unreachableCode: VerdictCode = 'REGISTRY_UNREACHABLE';

  constructor(private readonly deps: NotationVerifierDeps) {}

  supports(rule: Rule): boolean {
    return notationOf(rule) !== undefined;
  }

  async verify(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<ImageVerdict> {
    const settings = notationOf(rule);
    if (!settings) return this.#denied('INTERNAL_ERROR', `The rule matching ${ref.name} has no notation settings.`);
    const statement = selectStatement(settings.trustPolicy, ref.name);
    if (!statement) {
      return this.#denied(
        'NO_TRUST_POLICY',
        `No statement of the Notation trust policy has registryScopes "${ref.name}" or "*".`,
      );
    }
    // Level skip: Notation admits without looking for signatures (no registry call).
    if (statement.level === 'skip') {
      return {
        allowed: true,
        code: 'ALLOWED_BY_RULE',
        reason: `Notation trust policy "${statement.name}" has level skip: ${ref.name} is not verified.`,
        format: this.format,
      };
    }
    try {
      const { image, source } = await this.#verifiedImage(ref, settings, statement, ctx);
      const signed = {
        signedDigest: image.digest,
        format: this.format,
        source,
        warnings: image.warnings,
        signature: signatureOf(image),
      };
      if (ref.digest === undefined && rule.requireDigest) {
        return {
          allowed: false,
          code: 'DIGEST_REQUIRED',
          reason: `${ref.reference} names no digest; its tag is ${image.digest}, signed with Notation: pin ${ref.name}@${image.digest}.`,
          ...signed,
        };
      }
      return {
        allowed: true,
        code: 'SIGNED',
        reason: `${ref.name}@${image.digest} is signed with Notation by "${image.signer}" (trust policy "${statement.name}").`,
        ...signed,
      };
    } catch (error) {
      return this.#failure(error, ref, ctx.signal);
    }
  }

  /** For `/mutate`: the registry's digest of a tag whose signature verified under the rule. */
  async resolveSignedDigest(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<DigestResolution> {
    const verdict = await this.verify({ ...ref, digest: undefined }, { ...rule, requireDigest: false }, ctx);
    if (verdict.allowed && verdict.code === 'SIGNED' && verdict.signedDigest) {
      return { digest: verdict.signedDigest, reason: verdict.reason, source: verdict.source };
    }
    return { digest: undefined, code: verdict.code, reason: verdict.reason };
  }

  /**
   * For `inspect`: each signature of the image verified on its own under the statement the image selects (uncached,
   * at most the attempt limit), so that a person sees why each one does or does not count.
   */
  async inspectSignatures(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<SignatureInspection> {
    const settings = notationOf(rule);
    if (!settings) return { code: 'INTERNAL_ERROR', reason: `The rule matching ${ref.name} has no notation settings.` };
    const statement = selectStatement(settings.trustPolicy, ref.name);
    if (!statement) {
      return {
        code: 'NO_TRUST_POLICY',
        reason: `No statement of the Notation trust policy has registryScopes "${ref.name}" or "*".`,
      };
    }
    const repo: RepositoryRef = { host: ref.domain.toLowerCase(), repository: ref.path };
    try {
      const resolved = await this.deps.registry.resolve(repo, ref.digest ?? ref.tag ?? 'latest', {
        signal: ctx.signal,
      });
      const descriptor: Descriptor = { mediaType: resolved.mediaType, digest: resolved.digest, size: resolved.size };
      const { source, trials, notTried } = await verifyEachSignature({
        client: this.deps.registry,
        repo,
        descriptor,
        statement,
        stores: settings.stores,
        nowMs: ctx.nowMs,
        signal: ctx.signal,
        timestamps: this.deps.timestamps,
        revocation: this.deps.revocation,
        plugins: this.deps.plugins,
        maxAttempts: this.deps.maxAttempts,
      });
      const signatures: SignatureReport[] = trials.map((trial) =>
        trial.verified
          ? {
              signature: trial.signature,
              allowed: true,
              code: 'SIGNED',
              reason: `verifies under trust policy "${statement.name}" (level ${statement.level})`,
              signer: trial.outcome.signer.subject,
              ...(trial.outcome.warnings.length > 0 && {
                warnings: trial.outcome.warnings.map(
                  (w) => `${w.reason} (${w.code}; logged by level ${statement.level})`,
                ),
              }),
            }
          : {
              signature: trial.signature,
              allowed: false,
              code: trial.code,
              reason: trial.reason,
              ...(trial.signer && { signer: trial.signer }),
            },
      );
      return { source, signatures, notTried, statement: statement.name };
    } catch (error) {
      const verdict = this.#failure(error, ref, ctx.signal);
      return { code: verdict.code, reason: verdict.reason };
    }
  }

  async #verifiedImage(
    ref: ImageReference,
    settings: NotationSettings,
    statement: TrustPolicyStatement,
    ctx: VerifyContext,
  ): Promise<{ image: VerifiedImage; source: TrustSource }> {
    const repo: RepositoryRef = { host: ref.domain.toLowerCase(), repository: ref.path };
    const fingerprint = settings.fingerprints.get(statement.name) ?? 'none';
    const keyFor = (digest: string) =>
      ['notation', repo.host, `${repo.repository}@${digest}`, statement.name, fingerprint]
        .map((part) => part.replace(/[%#]/g, (c) => (c === '%' ? '%25' : '%23')))
        .join('#');
    const digest = ref.digest;
    if (digest !== undefined) {
      // A digest names its bytes, so its cached verdict needs no registry call; a cold one asks for the descriptor
      // and the referrers at once (the listing needs only the digest): one round trip instead of two.
      return this.#cachedVerification(keyFor(digest), ctx, async (signal) => {
        const [descriptor, referrers] = await Promise.all([
          this.deps.registry.resolve(repo, digest, { signal }),
          listSignatures(this.deps.registry, repo, digest, signal),
        ]);
        if (descriptor.digest !== digest) {
          throw new TrustError(
            'DIGEST_MISMATCH',
            `The registry answered ${descriptor.digest} for ${ref.name}@${digest}.`,
          );
        }
        return this.#verifyDescriptor(repo, descriptor, referrers, settings, statement, ctx.nowMs, signal);
      });
    }
    // A tag may move: resolved first (briefly cached by the client), its digest keys the verdict.
    const descriptor = await this.deps.registry.resolve(repo, ref.tag ?? 'latest', { signal: ctx.signal });
    return this.#cachedVerification(keyFor(descriptor.digest), ctx, (signal) =>
      this.#verifyDescriptor(repo, descriptor, undefined, settings, statement, ctx.nowMs, signal),
    );
  }

  #cachedVerification(
    key: string,
    ctx: VerifyContext,
    load: (signal: AbortSignal) => Promise<{ value: VerifiedImage; expiresAtMs: number }>,
  ): Promise<{ image: VerifiedImage; source: TrustSource }> {
    return this.deps.cache
      .getOrLoad<VerifiedImage>(key, load, {
        nowMs: ctx.nowMs,
        freshTtlMs: this.deps.freshTtlMs ?? DEFAULT_FRESH_TTL_MS,
        maxStaleMs: this.deps.maxStaleMs ?? DEFAULT_MAX_STALE_MS,
        signal: ctx.signal,
      })
      .then(({ value, source }) => ({ image: value, source }));
  }

  /** Verifies the signatures of a resolved descriptor (listing them unless given); throws TrustError on failure. */
  async #verifyDescriptor(
    repo: RepositoryRef,
    resolved: Descriptor,
    referrers: ReferrersResult | undefined,
    settings: NotationSettings,
    statement: TrustPolicyStatement,
    nowMs: number,
    signal: AbortSignal, // the flight's: other admissions may be waiting on this load
  ): Promise<{ value: VerifiedImage; expiresAtMs: number }> {
    const descriptor: Descriptor = { mediaType: resolved.mediaType, digest: resolved.digest, size: resolved.size };
    const outcome = await verifyArtifact({
      client: this.deps.registry,
      repo,
      descriptor,
      referrers,
      statement,
      stores: settings.stores,
      nowMs,
      signal,
      timestamps: this.deps.timestamps,
      revocation: this.deps.revocation,
      plugins: this.deps.plugins,
      maxAttempts: this.deps.maxAttempts,
    });
    if (!outcome.verified) throw new TrustError(outcome.code, outcome.reason);
    const { signer, validUntilMs } = outcome.outcome;
    // Cached until the signature or the chain ends (then a strict level denies); a result that already carries
    // that as a logged warning does not change at the boundary.
    const cap = nowMs + MAX_RESULT_LIFETIME_MS;
    const expiresAtMs = validUntilMs !== undefined && validUntilMs > nowMs ? Math.min(validUntilMs, cap) : cap;
    const image: VerifiedImage = {
      digest: descriptor.digest,
      signature: outcome.signature,
      signer: signer.subject,
      chainSha256: signer.chainSha256,
      warnings: outcome.warnings.map(
        (w) => `${w.reason} (${w.code}; logged, not enforced, by level ${statement.level})`,
      ),
      expiresAtMs,
    };
    return { value: image, expiresAtMs };
  }

  #failure(error: unknown, ref: ImageReference, signal: AbortSignal): ImageVerdict {
    if (error instanceof TrustError) return this.#denied(error.code, error.message);
    // This admission's deadline passed while it waited (a wait on a shared load rejects with the signal's reason).
    if (signal.aborted)
      return this.#denied(
        'REGISTRY_UNREACHABLE',
        `The admission deadline passed before the registry answered for ${ref.name}.`,
      );
    if (error instanceof NotaryGateError) return this.#denied('INTERNAL_ERROR', error.message);
    return this.#denied(
      'INTERNAL_ERROR',
      `Verifying ${ref.name} with Notation failed unexpectedly: ${(error as Error).message}`,
    );
  }

  #denied(code: VerdictCode, reason: string): ImageVerdict {
    return { allowed: false, code, reason, format: this.format };
  }
}

/** The decision log's record of the signature that decided. */
function signatureOf(image: VerifiedImage): SignatureRecord {
  return { digest: image.signature, signer: image.signer, chainSha256: image.chainSha256 };
}
