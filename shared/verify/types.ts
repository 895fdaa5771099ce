import type { VerdictCode } from '../errors';
import type { ImageReference } from '../image/types';
import type { Rule } from '../policy/types';

/** Where the trust data behind a verdict came from. `stale` = Notary failed and cached verified data was used. */
export type TrustSource = 'memory' | 'dynamodb' | 'origin' | 'stale';

/** The outcome for one image: data, turned into responses, logs and CLI output elsewhere. */
export interface ImageVerdict {
  readonly allowed: boolean;
  readonly code: VerdictCode;
  /** A sentence a person can act on. */
  readonly reason: string;
  /** The signed digest of the image's tag, when known (to tell the user what to pin). */
  readonly signedDigest?: string;
  /**
   * Which signature format decided (`notary-v1`, `notation`); absent when no verification ran. When a rule names
   * several formats and more than one decided together (all allowed under `require: all`, all denied under `any`),
   * their names joined with `+`, in the rule's order.
   */
  readonly format?: string;
  readonly source?: TrustSource;
  /**
   * Checks the format only logs (e.g. an expired signature under Notation's `permissive` level): the image is
   * allowed, and each warning reaches the decision log, `check --json` and the AdmissionReview's `warnings`.
   */
  readonly warnings?: readonly string[];
  /** Set when the rule names more than one format: each format's own verdict, in the rule's order (see engine). */
  readonly formats?: readonly FormatVerdict[];
  /** The signature that admitted the image, for formats that pick one of several (Notation); for the decision log. */
  readonly signature?: SignatureRecord;
  /**
   * The signed image index that vouched for the image (Notary v1: a platform manifest of a signed multi-arch tag,
   * listed in the index the registry served); absent when the image's own digest decided.
   */
  readonly viaIndex?: string;
}

/** Which signature decided, and who made it. */
export interface SignatureRecord {
  /** Digest of the signature manifest. */
  readonly digest: string;
  /** The signing certificate's subject. */
  readonly signer: string;
  /** Lowercase hex SHA-256 of each certificate of the chain, leaf first (notation's thumbprints). */
  readonly chainSha256: readonly string[];
}

/** One format's verdict inside a combined one. */
export interface FormatVerdict {
  readonly format: string;
  readonly allowed: boolean;
  readonly code: VerdictCode;
  readonly reason: string;
  readonly source?: TrustSource;
  readonly warnings?: readonly string[];
  readonly signature?: SignatureRecord;
  readonly viaIndex?: string;
}

/** Per-call context: the evaluation instant and the deadline. */
export interface VerifyContext {
  /** Evaluation instant (epoch ms) for every expiry check. */
  readonly nowMs: number;
  /** Aborted when the admission's deadline passes; network calls must stop. */
  readonly signal: AbortSignal;
  /**
   * The verifier says which origin it now waits on, by that origin's unreachable code, when that is not its format's
   * own (`unreachableCode`): Notary v1 asking the registry for a tag's digest reports REGISTRY_UNREACHABLE. A format
   * still pending at the deadline is then denied with that code. Optional: callers without a deadline omit it.
   */
  readonly waitingOn?: (code: VerdictCode) => void;
}

/**
 * What the mutating endpoint learns about a tag: the verified digest to pin it to, or why there is none (a verdict
 * code and a sentence, for the mutation log). A resolution never admits anything: `/validate` still decides.
 */
export type DigestResolution =
  | { readonly digest: string; readonly reason: string; readonly source?: TrustSource }
  | { readonly digest: undefined; readonly code: VerdictCode; readonly reason: string };

/**
 * The verifier of one signature format (Notary v1, Notation, ...), built by its FormatModule (./format.ts). The
 * decision engine only sees this interface. Implementations cache verified trust data (keys from ./cache-key.ts)
 * and single-flight concurrent requests, so that the images of one review fetch each repository once.
 */
export interface SignatureVerifier {
  /** Stable format name, used in decisions and logs: `notary-v1`. */
  readonly format: string;
  /** The verdict code when this format's origin did not answer before the deadline (an `origin-outage` code). */
  readonly unreachableCode: VerdictCode;
  /** Whether this verifier handles the rule (e.g. the rule has a `notary` section). */
  supports(rule: Rule): boolean;
  /** Decides one image; never throws for trust failures (they become verdicts with codes). */
  verify(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<ImageVerdict>;
  /**
   * The extension point of `/mutate`: the digest a tag-only reference's tag verifiably stands for under this rule,
   * or why there is none. The contract: a digest returned here is one that `verify` would admit as
   * `name:tag@digest` under the same rule and instant (Notary v1: the tag's signed digest in the trusted roles,
   * resolved as docker does; Notation: the registry's digest for the tag, once its signature verified). Optional:
   * a format without it pins nothing, and its tag-only images are left as written. Never throws for trust failures.
   */
  resolveSignedDigest?(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<DigestResolution>;
  /**
   * For `notary-gate inspect`: every signature of this format found for the image, each with its own verdict under
   * the rule (not only the first that verifies), or why none could be looked at. Uncached, never throws for trust
   * failures. Optional: formats whose signatures are not separate artifacts (Notary v1) leave it out.
   */
  inspectSignatures?(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<SignatureInspection>;
}

/** One signature's verdict, for `inspect`. */
export interface SignatureReport {
  /** Digest of the signature manifest. */
  readonly signature: string;
  readonly allowed: boolean;
  /** `SIGNED`, or the code this signature alone would deny with. */
  readonly code: VerdictCode;
  readonly reason: string;
  /** The signing certificate's subject, when the envelope got that far. */
  readonly signer?: string;
  readonly warnings?: readonly string[];
}

/** What a format found for `inspect`: the signatures tried, or why it could not look. */
export type SignatureInspection =
  | {
      /** Which listing answered (the referrers API, or the `sha256-<hex>` tag). */
      readonly source: 'api' | 'tag';
      readonly signatures: readonly SignatureReport[];
      /** Signatures listed beyond the format's attempt limit, not tried. */
      readonly notTried: number;
      /** The statement of the trust policy that applied (Notation). */
      readonly statement?: string;
    }
  | { readonly code: VerdictCode; readonly reason: string };
