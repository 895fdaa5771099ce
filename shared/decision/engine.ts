import { extractImages } from '../admission/extract';
import type { AdmissionRequest, ContainerImage } from '../admission/types';
import { type Clock, systemClock } from '../clock';
import { InvalidReferenceError, NotaryGateError, TRUST_ERROR_CODES, type VerdictCode } from '../errors';
import { parseReference } from '../image/reference';
import type { ImageReference } from '../image/types';
import { type Observer, silentObserver } from '../observer';
import { findRule } from '../policy/match';
import type { Mode, Policy, Rule } from '../policy/types';
import type { ImageVerdict, SignatureVerifier } from '../verify/types';
import { settleBefore } from './deadline';
import type { CheckContext, CheckedImage, ImageDecision, ReviewOutcome } from './types';

export interface DecisionEngineOptions {
  readonly policy: Policy;
  /** Signature formats; the first one that supports a `verify` rule decides its images. */
  readonly verifiers: readonly SignatureVerifier[];
  readonly observer?: Observer;
  /** Wall clock for deadlines (the evaluation instant `nowMs` may be fixed by `--at`; deadlines never are). */
  readonly wallClock?: Clock;
}

/**
 * Turns images into verdicts under one policy. Pure decision logic: the verifiers do the I/O (and cache and
 * single-flight repositories), so all images of one review are checked concurrently and each image string
 * once. Fails closed: every path that cannot prove an image signed yields a denying verdict, never a throw.
 */
export class DecisionEngine {
  readonly policy: Policy;
  private readonly verifiers: readonly SignatureVerifier[];
  private readonly observer: Observer;
  private readonly wallClock: Clock;

  constructor(options: DecisionEngineOptions) {
    this.policy = options.policy;
    this.verifiers = options.verifiers;
    this.observer = options.observer ?? silentObserver;
    this.wallClock = options.wallClock ?? systemClock;
  }

  /** The verdict for one image string, as `check` prints it and the webhook applies it. */
  async checkImage(image: string, ctx: CheckContext): Promise<CheckedImage> {
    const checked = await this.checkImages([image], ctx);
    return checked.get(image)!;
  }

  /**
   * Verdicts for many image strings (duplicates checked once), concurrently. Images still pending at
   * `ctx.deadlineAtMs` become NOTARY_UNREACHABLE.
   */
  async checkImages(images: readonly string[], ctx: CheckContext): Promise<Map<string, CheckedImage>> {
    const unique = [...new Set(images)];
    const { results, pending } = await settleBefore(
      unique,
      (image, signal) => this.evaluate(image, ctx.nowMs, signal),
      { deadlineAtMs: ctx.deadlineAtMs, wallClock: this.wallClock },
    );
    for (const image of pending) results.set(image, this.timedOut(image));
    return results;
  }

  /** Per-image decisions for one admission request. */
  async review(request: AdmissionRequest, ctx: CheckContext): Promise<ReviewOutcome> {
    // Deleting or connecting to an object never starts a container.
    if (request.operation === 'DELETE' || request.operation === 'CONNECT')
      return { images: [], shortCircuit: 'operation' };
    const containers = extractImages(request);
    if (containers.length === 0) return { images: [], shortCircuit: 'no-images' };

    if (request.namespace !== undefined && this.policy.exemptNamespaces.includes(request.namespace)) {
      const reason = `namespace ${request.namespace} is exempt from signature checks by policy`;
      return {
        images: containers.map((c) => this.withContainer(c, this.unchecked(c.image, 'NAMESPACE_EXEMPT', reason))),
      };
    }
    const skipped = (c: ContainerImage) => this.policy.skipUnchangedImages && !c.changed;
    const toCheck = containers.filter((c) => !skipped(c)).map((c) => c.image);
    const checked = await this.checkImages(toCheck, ctx);
    return {
      images: containers.map((c) =>
        this.withContainer(
          c,
          skipped(c)
            ? this.unchecked(c.image, 'UNCHANGED', 'the image is unchanged since the previous version of the object')
            : checked.get(c.image)!,
        ),
      ),
    };
  }

  /** Never rejects: every failure becomes a verdict. */
  private async evaluate(image: string, nowMs: number, signal: AbortSignal): Promise<CheckedImage> {
    let ref: ImageReference;
    try {
      ref = parseReference(image);
    } catch (error) {
      if (error instanceof InvalidReferenceError) {
        return invalid(image, this.policy.mode, `not a valid image reference: ${error.message}`);
      }
      return invalid(image, this.policy.mode, `cannot parse the image reference: ${describe(error)}`, 'INTERNAL_ERROR');
    }
    const rule = findRule(this.policy, ref.name);
    const mode: Mode = rule?.mode ?? this.policy.mode;
    const verdict = await this.verdictFor(ref, rule, nowMs, signal);
    return { ...referenceFields(ref), ...verdict, mode };
  }

  private async verdictFor(
    ref: ImageReference,
    rule: Rule | undefined,
    nowMs: number,
    signal: AbortSignal,
  ): Promise<ImageVerdict> {
    if (rule === undefined) {
      return this.policy.defaultAction === 'allow'
        ? {
            allowed: true,
            code: 'ALLOWED_BY_RULE',
            reason: `no rule matches ${ref.name}; the default action allows it`,
          }
        : {
            allowed: false,
            code: 'DENIED_BY_RULE',
            reason: `no policy rule matches ${ref.name} and the default action is deny; add a rule for this repository`,
          };
    }
    if (rule.action === 'allow') return { allowed: true, code: 'ALLOWED_BY_RULE', reason: `a rule allows ${ref.name}` };
    if (rule.action === 'deny') {
      return { allowed: false, code: 'DENIED_BY_RULE', reason: `a policy rule denies images of ${ref.name}` };
    }
    const verifier = this.verifiers.find((v) => v.supports(rule));
    if (verifier === undefined) {
      // A verify rule that no signature format can check would otherwise admit nothing silently: say why.
      return {
        allowed: false,
        code: 'NOTARY_ERROR',
        reason: `the rule matching ${ref.name} requires signatures but names no signature source; add a notary: section to it`,
      };
    }
    try {
      return await verifier.verify(ref, rule, { nowMs, signal });
    } catch (error) {
      if (signal.aborted) return unreachable(ref.name);
      if (error instanceof NotaryGateError && isVerdictCode(error.code) && error.code !== 'INTERNAL_ERROR') {
        return { allowed: false, code: error.code, reason: error.message, format: verifier.format };
      }
      this.observer.warn('verifier failed unexpectedly', {
        format: verifier.format,
        repository: ref.name,
        error: describe(error),
      });
      return {
        allowed: false,
        code: 'INTERNAL_ERROR',
        reason: `signature verification of ${ref.name} failed unexpectedly (${describe(error)}); the image is denied until it can be verified`,
        format: verifier.format,
      };
    }
  }

  private timedOut(image: string): CheckedImage {
    let fields = nullReference(image);
    let mode = this.policy.mode;
    try {
      const ref = parseReference(image);
      fields = referenceFields(ref);
      mode = findRule(this.policy, ref.name)?.mode ?? mode;
    } catch {
      // An invalid reference is never pending; keep the null fields.
    }
    return { ...fields, ...unreachable(fields.name ?? image), mode };
  }

  private unchecked(image: string, code: VerdictCode, reason: string): CheckedImage {
    let fields = nullReference(image);
    try {
      fields = referenceFields(parseReference(image));
    } catch {
      // Exempt and unchanged images are admitted without checks; an invalid string only loses its name fields.
    }
    return { ...fields, allowed: true, code, reason, mode: this.policy.mode };
  }

  private withContainer(container: ContainerImage, checked: CheckedImage): ImageDecision {
    return { ...checked, path: container.path, containerName: container.containerName };
  }
}

type ReferenceFields = Pick<CheckedImage, 'image' | 'name' | 'tag' | 'digest' | 'reference'>;

function referenceFields(ref: ImageReference): ReferenceFields {
  return {
    image: ref.original,
    name: ref.name,
    tag: ref.tag ?? null,
    digest: ref.digest ?? null,
    reference: ref.reference,
  };
}

function nullReference(image: string): ReferenceFields {
  return { image, name: null, tag: null, digest: null, reference: null };
}

function invalid(image: string, mode: Mode, reason: string, code: VerdictCode = 'INVALID_REFERENCE'): CheckedImage {
  return { ...nullReference(image), allowed: false, code, reason, mode };
}

function unreachable(repository: string): ImageVerdict {
  return {
    allowed: false,
    code: 'NOTARY_UNREACHABLE',
    reason: `the trust data of ${repository} could not be verified before the admission deadline; retry, or check that its Notary server is reachable`,
  };
}

const TRUST_ERROR_CODE_SET: ReadonlySet<string> = new Set(TRUST_ERROR_CODES);

/** Only trust-layer denial codes may come from a thrown error; anything else is unexpected. */
function isVerdictCode(code: string): code is VerdictCode {
  return TRUST_ERROR_CODE_SET.has(code);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
