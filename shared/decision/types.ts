import type { Mode } from '../policy/types';
import type { ImageVerdict } from '../verify/types';

/**
 * The verdict for one image string, with its normalized reference fields: the `check --json` shape of the
 * contract (reference fields are null when the string is not a valid reference), plus the mode that applies.
 */
export interface CheckedImage extends ImageVerdict {
  /** The image string exactly as written. */
  readonly image: string;
  /** Normalized repository name (`docker.io/library/alpine`); null for an invalid reference. */
  readonly name: string | null;
  readonly tag: string | null;
  readonly digest: string | null;
  /** Normalized reference (`docker.io/library/alpine:3.19`); null for an invalid reference. */
  readonly reference: string | null;
  /** The mode that applies to this image: the matching rule's mode, else the policy's. */
  readonly mode: Mode;
}

/** One image of an admitted object with its verdict. */
export interface ImageDecision extends CheckedImage {
  /** Field path in the object, for messages: `spec.containers[0].image`. */
  readonly path: string;
  readonly containerName: string | undefined;
}

/** An admission's decision: deny when an enforced image is denied; audit-deny when only audited ones are. */
export type Decision = 'allow' | 'deny' | 'audit-deny';

/** Why a review was answered without looking at any image. */
export type ShortCircuit = 'operation' | 'no-images';

/** Everything the response, the decision log and the metrics need about one admission. */
export interface ReviewOutcome {
  readonly images: readonly ImageDecision[];
  /** Set when the admission was allowed at once (DELETE/CONNECT, or an object without images). */
  readonly shortCircuit?: ShortCircuit;
}

/** Per-call context of the engine. */
export interface CheckContext {
  /** Evaluation instant (epoch ms) for every expiry check (`--at` fixes it). */
  readonly nowMs: number;
  /** Wall-clock instant (epoch ms, same clock as the engine's `wallClock`) after which no result is awaited. */
  readonly deadlineAtMs?: number;
}
