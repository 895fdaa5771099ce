import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { extractImages } from '../shared/admission/extract';
import type { AdmissionRequest } from '../shared/admission/types';
import { buildMutationRecord, recordMutationMetrics } from '../shared/log/mutation-log';
import type { PinOutcome } from '../shared/mutate/pinner';
import { buildMutationResponse } from '../shared/mutate/response';
import type { Runtime } from '../shared/runtime/runtime';
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
  runtime.telemetry.logDecision(buildMutationRecord(admission, outcome, { durationMs }));
  recordMutationMetrics(runtime.telemetry.observer, outcome, durationMs);
  return jsonResponse(200, review);
}
