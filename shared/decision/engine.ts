import { extractImages } from '../admission/extract';
import type { AdmissionRequest, ContainerImage } from '../admission/types';
import { type Clock, systemClock } from '../clock';
import { describeError } from '../describe-error';
import { InvalidReferenceError, isTrustErrorCode, NotaryGateError, type VerdictCode } from '../errors';
import { parseReference } from '../image/reference';
import type { ImageReference } from '../image/types';
import { type Observer, silentObserver } from '../observer';
import { POLICY_DEFAULTS } from '../policy/defaults';
import { findRule } from '../policy/match';
import type { Mode, Policy, Rule } from '../policy/types';
import type { ImageVerdict, SignatureVerifier, VerifyContext } from '../verify/types';
import { combineVerdicts, type NamedVerdict } from './combine';
import { settleBefore } from './deadline';
import type { CheckContext, CheckedImage, ImageDecision, ReviewOutcome } from './types';

export interface DecisionEngineOptions {
  readonly policy: Policy;
  /**
   * One verifier per signature format (shared/runtime/verifiers.ts builds them from the format modules). Every
   * verifier that supports a `verify` rule (the rule names its format) runs for the rule's images, concurrently, and
   * their verdicts combine by the rule's `require` (shared/decision/combine.ts).
   */
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
   * Verdicts for many image strings (duplicates checked once), concurrently. An image still pending at
   * `ctx.deadlineAtMs` is decided from the formats that answered, each format still running counting as its
   * origin's outage (its `unreachableCode`, e.g. NOTARY_UNREACHABLE): under `require: any` a format that allowed
   * in time still admits the image.
   */
  async checkImages(images: readonly string[], ctx: CheckContext): Promise<Map<string, CheckedImage>> {
    const unique = [...new Set(images)];
    const progress = new Map<string, FormatRun>();
    const { results, pending } = await settleBefore(
      unique,
      (image, signal) => this.evaluate(image, ctx.nowMs, signal, progress),
      { deadlineAtMs: ctx.deadlineAtMs, wallClock: this.wallClock },
    );
    for (const image of pending) results.set(image, this.timedOut(image, progress.get(image)));
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
  private async evaluate(
    image: string,
    nowMs: number,
    signal: AbortSignal,
    progress: Map<string, FormatRun>,
  ): Promise<CheckedImage> {
    let ref: ImageReference;
    try {
      ref = parseReference(image);
    } catch (error) {
      if (error instanceof InvalidReferenceError) {
        return invalid(image, this.policy.mode, `not a valid image reference: ${error.message}`);
      }
      return invalid(
        image,
        this.policy.mode,
        `cannot parse the image reference: ${describeError(error)}`,
        'INTERNAL_ERROR',
      );
    }
    const rule = findRule(this.policy, ref.name);
    const mode: Mode = rule?.mode ?? this.policy.mode;
    const verdict = await this.verdictFor(ref, rule, nowMs, signal, (run) => progress.set(image, run));
    return { ...referenceFields(ref), ...verdict, mode };
  }

  private async verdictFor(
    ref: ImageReference,
    rule: Rule | undefined,
    nowMs: number,
    signal: AbortSignal,
    track: (run: FormatRun) => void,
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
    const verifiers = this.verifiers.filter((v) => v.supports(rule));
    if (verifiers.length === 0) {
      // The loader refuses such rules; a hand-built rule, or a runtime without the rule's format, lands here: a bug
      // that would otherwise admit nothing silently. Say why.
      return {
        allowed: false,
        code: 'INTERNAL_ERROR',
        reason: `the rule matching ${ref.name} requires signatures but names no signature format section this runtime verifies; add one to it`,
      };
    }
    const run: FormatRun = {
      ref,
      rule,
      verifiers,
      verdicts: verifiers.map(() => undefined),
      waitingOn: verifiers.map(() => undefined),
    };
    track(run);
    await Promise.all(
      verifiers.map(async (verifier, index) => {
        const waitingOn = (code: VerdictCode) => {
          run.waitingOn[index] = code;
        };
        run.verdicts[index] = await this.runFormat(verifier, ref, rule, { nowMs, signal, waitingOn });
      }),
    );
    return combine(run);
  }

  /** One format's verdict; never rejects. */
  private async runFormat(
    verifier: SignatureVerifier,
    ref: ImageReference,
    rule: Rule,
    ctx: VerifyContext,
  ): Promise<ImageVerdict> {
    try {
      return await verifier.verify(ref, rule, ctx);
    } catch (error) {
      if (ctx.signal.aborted) return unreachable(ref.name, verifier);
      if (error instanceof NotaryGateError && isTrustErrorCode(error.code)) {
        return { allowed: false, code: error.code, reason: error.message, format: verifier.format };
      }
      this.observer.warn('verifier failed unexpectedly', {
        format: verifier.format,
        repository: ref.name,
        error: describeError(error),
      });
      return {
        allowed: false,
        code: 'INTERNAL_ERROR',
        reason: `signature verification of ${ref.name} failed unexpectedly (${describeError(error)}); the image is denied until it can be verified`,
        format: verifier.format,
      };
    }
  }

  /** An image pending at the deadline: the formats that answered decide, the others count as unreachable. */
  private timedOut(image: string, run: FormatRun | undefined): CheckedImage {
    let fields = nullReference(image);
    let mode = this.policy.mode;
    try {
      const ref = parseReference(image);
      fields = referenceFields(ref);
      mode = findRule(this.policy, ref.name)?.mode ?? mode;
    } catch {
      // An invalid reference is never pending; keep the null fields.
    }
    if (run === undefined) {
      // Pending before any format started (cannot happen today: rules are matched synchronously).
      return { ...fields, ...deadlinePassed(fields.name ?? image), mode };
    }
    const verdicts = run.verdicts.map(
      (verdict, index) => verdict ?? unreachable(run.ref.name, run.verifiers[index]!, run.waitingOn[index]),
    );
    return { ...fields, ...combine({ ...run, verdicts }), mode };
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

/** The formats a rule names for one image, and what each has answered so far (the deadline reads it). */
interface FormatRun {
  readonly ref: ImageReference;
  readonly rule: Rule;
  readonly verifiers: readonly SignatureVerifier[];
  readonly verdicts: (ImageVerdict | undefined)[];
  /** The origin each format last said it waits on (VerifyContext.waitingOn), when not its own. */
  readonly waitingOn: (VerdictCode | undefined)[];
}

function combine(run: Omit<FormatRun, 'verdicts'> & { readonly verdicts: readonly (ImageVerdict | undefined)[] }) {
  const named: NamedVerdict[] = run.verifiers.map((verifier, index) => ({
    format: verifier.format,
    verdict: run.verdicts[index]!,
  }));
  return combineVerdicts(run.rule.require ?? POLICY_DEFAULTS.require, named);
}

/**
 * A format whose origin did not answer before the deadline: its own "unreachable" code, or that of the origin it
 * said it was waiting on (Notary v1 asking the registry for a tag's digest: REGISTRY_UNREACHABLE).
 */
function unreachable(repository: string, verifier: SignatureVerifier, waitingOn?: VerdictCode): ImageVerdict {
  const source = waitingOn === 'REGISTRY_UNREACHABLE' ? 'registry' : `${verifier.format} signature source`;
  return {
    allowed: false,
    code: waitingOn ?? verifier.unreachableCode,
    reason: `the trust data of ${repository} could not be verified before the admission deadline; retry, or check that its ${source} is reachable`,
    format: verifier.format,
  };
}

function deadlinePassed(repository: string): ImageVerdict {
  return {
    allowed: false,
    code: 'INTERNAL_ERROR',
    reason: `${repository} could not be checked before the admission deadline; retry`,
  };
}
