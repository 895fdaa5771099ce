import type { ImageReference } from '../../image/types';
import type { ImageVerdict } from '../../verify/types';
import type { VerifiedTrust } from './types';

export interface ResolveOptions {
  readonly requireDigest: boolean;
  /** When given, only digests signed in these roles count. */
  readonly delegations?: readonly string[];
}

/** Work in progress: the full implementation lands next. */
export function resolveImage(ref: ImageReference, trust: VerifiedTrust, _options: ResolveOptions): ImageVerdict {
  return {
    allowed: false,
    code: 'NOT_SIGNED',
    reason: `${ref.reference}: resolution against ${trust.gun} is not implemented yet`,
    format: 'notary-v1',
  };
}
