import type { Operation } from 'rfc6902';
import type { AdmissionRequest } from '../admission/types';
import type { Pin } from './pinner';

/** The AdmissionReview `/mutate` answers with: always allowed, with a JSON Patch when something was pinned. */
export interface MutationReviewResponse {
  readonly apiVersion: string;
  readonly kind: 'AdmissionReview';
  readonly response: {
    readonly uid: string;
    readonly allowed: true;
    readonly patchType?: 'JSONPatch';
    /** Base64 of the RFC 6902 patch (JSON text), as the apiserver expects it. */
    readonly patch?: string;
  };
}

/**
 * The RFC 6902 patch of a set of pins: one `replace` per pinned field, addressed by its JSON Pointer, and nothing
 * else, so the patch can only ever change image fields that exist (a `replace` of a missing path fails the patch
 * instead of adding a field). Sorted by pointer, so that the same pins always give the same bytes.
 */
export function pinPatch(pins: readonly Pin[]): Operation[] {
  return [...pins]
    .sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0))
    .map((pin) => ({ op: 'replace', path: pin.pointer, value: pin.pinned }));
}

/**
 * The one function that turns pins into the `/mutate` answer: the request's apiVersion and uid, `allowed: true`
 * always (the validating webhook decides), and `patchType`/`patch` only when at least one image was pinned.
 */
export function buildMutationResponse(
  request: Pick<AdmissionRequest, 'apiVersion' | 'uid'>,
  pins: readonly Pin[],
): MutationReviewResponse {
  const patch = pinPatch(pins);
  return {
    apiVersion: request.apiVersion,
    kind: 'AdmissionReview',
    response: {
      uid: request.uid,
      allowed: true,
      ...(patch.length > 0 && {
        patchType: 'JSONPatch' as const,
        patch: Buffer.from(JSON.stringify(patch), 'utf8').toString('base64'),
      }),
    },
  };
}
