import type { ContainerImage } from '../admission/types';
import { type Clock, systemClock } from '../clock';
import { settleBefore } from '../decision/deadline';
import type { CheckContext } from '../decision/types';
import { describeError } from '../describe-error';
import { parseReference } from '../image/reference';
import type { ImageReference } from '../image/types';
import { type Observer, silentObserver } from '../observer';
import { POLICY_DEFAULTS } from '../policy/defaults';
import { findRule } from '../policy/match';
import type { Policy, Rule } from '../policy/types';
import type { DigestResolution, SignatureVerifier, TrustSource } from '../verify/types';

/**
 * Pins tag-only images to their verified digest, for `/mutate` and `check -f --pin`. It never decides: an image
 * it cannot pin is left exactly as written, and `/validate` (the one place that decides) denies or warns about it
 * as the policy says. So every doubt here (no rule, another action, a format without digest resolution, a trust
 * failure, the deadline) means "leave it alone", never "deny".
 */

/** One image field rewritten to `name:tag@sha256:…`. */
export interface Pin {
  /** RFC 6901 pointer of the field, the `path` of the JSON Patch operation. */
  readonly pointer: string;
  /** Display path, for logs and messages. */
  readonly path: string;
  /** The image as written. */
  readonly image: string;
  /** The image as pinned: the string as written, its tag made explicit when implied, then `@digest`. */
  readonly pinned: string;
  readonly digest: string;
  readonly format: string;
  readonly source?: TrustSource;
}

/** Why an image was left as written. */
export type UnpinnedCode =
  | 'HAS_DIGEST' // already pinned, or digest only
  | 'INVALID_REFERENCE'
  | 'NO_RULE' // no rule matches (the default action decides in /validate)
  | 'NOT_VERIFIED' // the rule allows or denies without verifying
  | 'MUTATE_DISABLED' // the rule says mutateDigest: false
  | 'NO_RESOLVER' // no signature format of the rule can resolve a tag to a verified digest
  | 'NOT_RESOLVED' // the format found no verified digest (unsigned tag, trust failure)
  | 'TIMED_OUT' // the deadline passed before the digest was found
  | 'NAMESPACE_EXEMPT';

export interface Unpinned {
  readonly path: string;
  readonly image: string;
  readonly code: UnpinnedCode;
  readonly reason: string;
}

export interface PinOutcome {
  readonly pins: readonly Pin[];
  readonly unpinned: readonly Unpinned[];
}

export interface DigestPinnerOptions {
  readonly policy: Policy;
  readonly verifiers: readonly SignatureVerifier[];
  readonly observer?: Observer;
  readonly wallClock?: Clock;
}

/** What one image string resolves to: a digest with the format that found it, or why not. */
type Found = { digest: string; format: string; source?: TrustSource };
type Unresolved = { code: UnpinnedCode; reason: string };
type Resolved = Found | Unresolved;

export class DigestPinner {
  private readonly observer: Observer;
  private readonly wallClock: Clock;

  constructor(private readonly options: DigestPinnerOptions) {
    this.observer = options.observer ?? silentObserver;
    this.wallClock = options.wallClock ?? systemClock;
  }

  /**
   * Pins for the images of one object. Each distinct image string is resolved once, all concurrently; whatever is
   * still pending at `ctx.deadlineAtMs` is left alone (TIMED_OUT). `namespace` in the policy's exemptNamespaces:
   * nothing is pinned (the validating side does not check those objects either).
   */
  async pin(images: readonly ContainerImage[], ctx: CheckContext & { namespace?: string }): Promise<PinOutcome> {
    if (ctx.namespace !== undefined && this.options.policy.exemptNamespaces.includes(ctx.namespace)) {
      const reason = `namespace ${ctx.namespace} is exempt from signature checks by policy`;
      return {
        pins: [],
        unpinned: images.map((i) => ({ path: i.path, image: i.image, code: 'NAMESPACE_EXEMPT', reason })),
      };
    }
    const unique = [...new Set(images.map((image) => image.image))];
    const { results, pending } = await settleBefore(unique, (image, signal) => this.resolve(image, ctx.nowMs, signal), {
      deadlineAtMs: ctx.deadlineAtMs,
      wallClock: this.wallClock,
    });
    for (const image of pending) {
      results.set(image, { code: 'TIMED_OUT', reason: 'no verified digest was found before the admission deadline' });
    }
    const pins: Pin[] = [];
    const unpinned: Unpinned[] = [];
    for (const image of images) {
      const resolved = results.get(image.image)!;
      if ('code' in resolved) {
        unpinned.push({ path: image.path, image: image.image, code: resolved.code, reason: resolved.reason });
        continue;
      }
      pins.push({
        pointer: image.pointer,
        path: image.path,
        image: image.image,
        pinned: pinnedForm(image.image, resolved.digest),
        digest: resolved.digest,
        format: resolved.format,
        ...(resolved.source && { source: resolved.source }),
      });
    }
    return { pins, unpinned };
  }

  /** Never rejects: every failure leaves the image alone. */
  private async resolve(image: string, nowMs: number, signal: AbortSignal): Promise<Resolved> {
    let ref: ImageReference;
    try {
      ref = parseReference(image);
    } catch (error) {
      return { code: 'INVALID_REFERENCE', reason: `not a valid image reference: ${describeError(error)}` };
    }
    if (ref.digest !== undefined) return { code: 'HAS_DIGEST', reason: 'the image already names a digest' };
    const rule = findRule(this.options.policy, ref.name);
    if (rule === undefined) return { code: 'NO_RULE', reason: `no policy rule matches ${ref.name}` };
    if (rule.action !== 'verify') {
      return {
        code: 'NOT_VERIFIED',
        reason: `the rule matching ${ref.name} does not verify signatures (${rule.action})`,
      };
    }
    if (rule.mutateDigest === false) {
      return { code: 'MUTATE_DISABLED', reason: `the rule matching ${ref.name} sets mutateDigest: false` };
    }
    const verifiers = this.options.verifiers.filter((v) => v.supports(rule));
    const resolvers = verifiers.filter((v) => v.resolveSignedDigest !== undefined);
    // `require: all`: every format of the rule must resolve the tag, to the same digest (a format that cannot resolve
    // could not confirm the pin). `any`: the first format, in module order, that resolves it.
    const requireAll = (rule.require ?? POLICY_DEFAULTS.require) === 'all';
    if (resolvers.length === 0 || (requireAll && resolvers.length < verifiers.length)) {
      return {
        code: 'NO_RESOLVER',
        reason: `not every signature format of the rule matching ${ref.name} resolves tags to digests`,
      };
    }
    const resolutions = await Promise.all(resolvers.map((v) => this.resolveWith(v, ref, rule, nowMs, signal)));
    const found = resolutions.filter((resolution): resolution is Found => 'digest' in resolution);
    if (requireAll) {
      const failed = resolutions.find((resolution): resolution is Unresolved => 'code' in resolution);
      if (failed) return failed;
      const digests = [...new Set(found.map((resolution) => resolution.digest))];
      if (digests.length > 1) {
        return {
          code: 'NOT_RESOLVED',
          reason: `the formats of the rule matching ${ref.name} resolve ${ref.tag} to different digests (${digests.join(', ')})`,
        };
      }
    }
    return found[0] ?? resolutions[0]!;
  }

  /** One format's resolution, checked: only a canonical sha256 digest may pin (what /validate can check). */
  private async resolveWith(
    verifier: SignatureVerifier,
    ref: ImageReference,
    rule: Rule,
    nowMs: number,
    signal: AbortSignal,
  ): Promise<Resolved> {
    let resolution: DigestResolution;
    try {
      resolution = await verifier.resolveSignedDigest!(ref, rule, { nowMs, signal });
    } catch (error) {
      this.observer.warn('digest resolution failed unexpectedly', {
        format: verifier.format,
        repository: ref.name,
        error: describeError(error),
      });
      return { code: 'NOT_RESOLVED', reason: `resolving ${ref.name}:${ref.tag} failed: ${describeError(error)}` };
    }
    if (resolution.digest === undefined) {
      return { code: 'NOT_RESOLVED', reason: `${verifier.format}: ${resolution.code}: ${resolution.reason}` };
    }
    if (!/^sha256:[0-9a-f]{64}$/.test(resolution.digest)) {
      return { code: 'NOT_RESOLVED', reason: `the resolved digest ${resolution.digest} is not a sha256 digest` };
    }
    return {
      digest: resolution.digest,
      format: verifier.format,
      ...(resolution.source && { source: resolution.source }),
    };
  }
}

/**
 * `name:tag@digest` in the form the user wrote: registry, path and tag kept as written (`nginx:1.25` becomes
 * `nginx:1.25@sha256:…`, not `docker.io/library/nginx:1.25@…`), and an implied tag made explicit (`nginx` becomes
 * `nginx:latest@sha256:…`) so that the pinned string still says which tag it stands for. The tag is written when
 * the last path segment holds a `:` (a registry port sits before a `/`).
 */
export function pinnedForm(written: string, digest: string): string {
  const lastSegment = written.slice(written.lastIndexOf('/') + 1);
  return `${written}${lastSegment.includes(':') ? '' : ':latest'}@${digest}`;
}
