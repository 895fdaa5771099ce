import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { extractImages } from '../shared/admission/extract';
import type { AdmissionRequest } from '../shared/admission/types';
import { buildMutationRecord, recordMutationMetrics } from '../shared/log/mutation-log';
import type { PinOutcome } from '../shared/mutate/pinner';
import { buildMutationResponse } from '../shared/mutate/response';
import type { Runtime } from '../shared/runtime/runtime';
import { BREAK_GLASS_LABEL, carriesBreakGlassLabel } from '../shared/webhook-config/break-glass';
import { startAdmission } from './admission-start';
import type { WebhookContext } from './context';
import { type HttpResponse, jsonResponse } from './http';

/**
 * `/mutate`, after the same routing, token check and body parsing as `/validate`: parse the AdmissionReview
 * (startAdmission, as `/validate` does; a bad one is a 400), pin the object's tag-only images before the same
 * deadline, answer `allowed: true` with the patch. Only `object` is read: images in `oldObject` are irrelevant to
 * what the kubelet will pull.
 */
export async function mutationHandler(event: APIGatewayProxyEventV2, context: WebhookContext): Promise<HttpResponse> {
  const { runtime, admission, deadlineAtMs, startedAtMs } = startAdmission(event, context);
  // DELETE and CONNECT start nothing: extractImages gives none, and the answer has no patch.
  const images = extractImages({ ...admission, oldObject: undefined });
  const outcome =
    images.length === 0
      ? { pins: [], unpinned: [] }
      : await runtime.pinner.pin(images, { nowMs: runtime.clock(), deadlineAtMs, namespace: admission.namespace });
  return answerMutation(runtime, admission, outcome, startedAtMs);
}

/** The `/mutate` answer, its one mutation record and its metrics; also the no-patch answer to a failure. */
export function answerMutation(
  runtime: Runtime,
  admission: AdmissionRequest,
  outcome: PinOutcome,
  startedAtMs: number,
): HttpResponse {
  const review = buildMutationResponse(admission, outcome.pins);
  const durationMs = Date.now() - startedAtMs;
  const breakGlassImages = breakGlassImagesOf(runtime, admission);
  runtime.telemetry.logDecision(
    buildMutationRecord(admission, outcome, { durationMs, ...(breakGlassImages && { breakGlassImages }) }),
  );
  recordMutationMetrics(runtime.telemetry.observer, outcome, durationMs);
  return jsonResponse(200, review);
}

/**
 * The images of an object that carries the break-glass label, with a warning naming who and what; undefined for any
 * other object. The validating webhook's objectSelector (when break-glass is on) keeps such objects from it, so
 * this record and warning, from the mutating webhook that still sees them, are the trace (BreakGlassUsed alarm).
 */
function breakGlassImagesOf(runtime: Runtime, admission: AdmissionRequest): string[] | undefined {
  if (admission.operation === 'DELETE' || !carriesBreakGlassLabel(admission.object)) return undefined;
  const images = extractImages({ ...admission, oldObject: undefined }).map((image) => image.image);
  runtime.telemetry.observer.warn(
    `BREAK-GLASS: ${admission.kind.kind} ${admission.namespace ?? ''}/${admission.name ?? ''} carries ${BREAK_GLASS_LABEL}=true: with the break-glass objectSelector on, the validating webhook does not verify its images`,
    {
      uid: admission.uid,
      operation: admission.operation,
      user: admission.userInfo.username,
      images: images.slice(0, MAX_BREAK_GLASS_IMAGES_WARNED),
    },
  );
  return images;
}

/** An object has a few images; the warning names at most this many (the record lists all, bounded in length). */
const MAX_BREAK_GLASS_IMAGES_WARNED = 20;
