import type { AdmissionRequest } from '../admission/types';
import { deniedImages } from './decide';
import type { ImageDecision, ReviewOutcome } from './types';

/** The AdmissionReview the webhook answers with (the fields notary-gate sets). */
export interface AdmissionReviewResponse {
  readonly apiVersion: string;
  readonly kind: 'AdmissionReview';
  readonly response: {
    readonly uid: string;
    readonly allowed: boolean;
    readonly status?: { readonly code: number; readonly reason: string; readonly message: string };
    readonly warnings?: string[];
    readonly auditAnnotations?: Record<string, string>;
  };
}

/** kubectl shows the whole message on one line; past this it stops being readable. */
export const MAX_MESSAGE_CHARS = 2000;
/** The apiserver may truncate longer warnings (Kubernetes docs: 256 characters each, 4096 in all). */
export const MAX_WARNING_CHARS = 256;
const MAX_WARNINGS_TOTAL_CHARS = 4096;
/** One reason in the denial message, so one verbose image cannot hide the others. */
const MAX_REASON_CHARS = 300;
const MAX_ANNOTATION_CHARS = 2000;
const MAX_IMAGE_CHARS = 200;

/**
 * The one function that turns decisions into the AdmissionReview response: the request's apiVersion and uid;
 * on denial a 403 status whose message lists each denied image with its container path and reason; images
 * denied in audit mode are admitted with one warning each (kubectl prints them), and so is each warning of an allowed
 * image's verdict (what its format only logs) when the admission is allowed. Audit annotations record
 * every denied image; the apiserver prefixes their keys with the webhook's name (`<webhook>/denied-images`).
 */
export function buildAdmissionResponse(
  request: Pick<AdmissionRequest, 'apiVersion' | 'uid'>,
  outcome: ReviewOutcome,
): AdmissionReviewResponse {
  const { enforced, audited } = deniedImages(outcome);
  const allowed = enforced.length === 0;
  const warnings = boundedWarnings([
    ...audited.map((image) => truncate(`notary-gate (audit): ${describeImage(image)}`, MAX_WARNING_CHARS)),
    ...(allowed ? verdictWarnings(outcome.images) : []),
  ]);
  const denied = [...enforced, ...audited];
  return {
    apiVersion: request.apiVersion,
    kind: 'AdmissionReview',
    response: {
      uid: request.uid,
      allowed,
      ...(allowed
        ? {}
        : { status: { code: 403, reason: 'Forbidden', message: denialMessage(enforced, outcome.images.length) } }),
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(denied.length > 0
        ? {
            auditAnnotations: {
              decision: allowed ? 'audit-deny' : 'deny',
              'denied-images': truncate(unique(denied.map((image) => image.image)).join(','), MAX_ANNOTATION_CHARS),
              'denied-codes': unique(denied.map((image) => image.code)).join(','),
            },
          }
        : {}),
    },
  };
}

function denialMessage(enforced: readonly ImageDecision[], total: number): string {
  const head = `notary-gate denied ${enforced.length} of ${total} image${total === 1 ? '' : 's'}: `;
  let message = head;
  for (const [index, image] of enforced.entries()) {
    const part = `${index === 0 ? '' : '; '}${describeImage(image)}`;
    const rest = enforced.length - index - 1;
    const suffix = rest > 0 ? `; and ${rest} more` : '';
    if (message.length + part.length + suffix.length > MAX_MESSAGE_CHARS) {
      return `${message}${index === 0 ? '' : '; '}and ${enforced.length - index} more (see the decision log)`;
    }
    message += part;
  }
  return message;
}

function describeImage(image: ImageDecision): string {
  return `${image.path} "${truncate(image.image, MAX_IMAGE_CHARS)}": ${image.code}: ${truncate(image.reason, MAX_REASON_CHARS)}`;
}

/** `notary-gate: <path> "<image>": <warning>` for each warning of each allowed image. */
function verdictWarnings(images: readonly ImageDecision[]): string[] {
  return images.flatMap((image) =>
    image.allowed && image.warnings
      ? image.warnings.map((warning) =>
          truncate(
            `notary-gate: ${image.path} "${truncate(image.image, MAX_IMAGE_CHARS)}": ${warning}`,
            MAX_WARNING_CHARS,
          ),
        )
      : [],
  );
}

function boundedWarnings(warnings: readonly string[]): string[] {
  const kept: string[] = [];
  let total = 0;
  for (const warning of warnings) {
    if (total + warning.length > MAX_WARNINGS_TOTAL_CHARS) break;
    kept.push(warning);
    total += warning.length;
  }
  return kept;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
