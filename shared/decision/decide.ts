import type { Mode } from '../policy/types';
import type { Decision, ImageDecision, ReviewOutcome } from './types';

/** Images that enforce mode would deny, split by the mode that applies to each. */
export function deniedImages(outcome: ReviewOutcome): { enforced: ImageDecision[]; audited: ImageDecision[] } {
  const denied = outcome.images.filter((image) => !image.allowed);
  return {
    enforced: denied.filter((image) => image.mode === 'enforce'),
    audited: denied.filter((image) => image.mode === 'audit'),
  };
}

/** The admission's decision: deny when an enforced image is denied; audit-deny when only audited ones are. */
export function decisionOf(outcome: ReviewOutcome): Decision {
  const { enforced, audited } = deniedImages(outcome);
  if (enforced.length > 0) return 'deny';
  return audited.length > 0 ? 'audit-deny' : 'allow';
}

/**
 * The outcome when the review itself failed unexpectedly: one pseudo-image that denies in enforce mode and
 * warns in audit mode, so that the apiserver still gets a definite answer that follows the policy.
 */
export function failedOutcome(mode: Mode, reason: string): ReviewOutcome {
  return {
    images: [
      {
        image: '*',
        name: null,
        tag: null,
        digest: null,
        reference: null,
        path: 'request',
        containerName: undefined,
        allowed: false,
        code: 'INTERNAL_ERROR',
        reason,
        mode,
      },
    ],
  };
}
