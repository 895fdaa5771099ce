import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseAdmissionReview } from '../shared/admission/parse';
import type { AdmissionRequest } from '../shared/admission/types';
import { failedOutcome } from '../shared/decision/decide';
import { buildAdmissionResponse } from '../shared/decision/response';
import { buildDecisionRecord } from '../shared/log/decision-log';
import { recordDecisionMetrics } from '../shared/log/decision-metrics';
import { buildMutationResponse } from '../shared/mutate/response';
import type { Mode } from '../shared/policy/types';
import type { Telemetry } from '../shared/runtime/telemetry';
import { type HttpResponse, jsonResponse } from './http';
import { MAX_BODY_BYTES } from './middleware/body';

/**
 * When the webhook cannot run at all (its configuration does not load), an AdmissionReview still gets a definite
 * answer: denied, whatever the webhook's failurePolicy says, because a policy that cannot be read must not turn
 * into "admit everything" under `failurePolicy: Ignore`. Returns undefined when the body is not an
 * AdmissionReview (the caller then answers with the HTTP error).
 */
export function denyForBrokenConfiguration(
  event: APIGatewayProxyEventV2,
  reason: string,
  startedAtMs: number,
  telemetry: Telemetry | undefined,
  /** The policy's mode when it loaded (audit admits with a warning); enforce when there is no policy. */
  mode: Mode = 'enforce',
): HttpResponse | undefined {
  const admission = admissionOf(event);
  if (!admission) return undefined;
  const outcome = failedOutcome(mode, reason);
  const durationMs = Date.now() - startedAtMs;
  telemetry?.logDecision(buildDecisionRecord(admission, outcome, { mode, durationMs }));
  // Counted like every other answered admission, so that Admissions and Denials{INTERNAL_ERROR} show the outage.
  if (telemetry) recordDecisionMetrics(telemetry.observer, outcome, durationMs);
  return jsonResponse(200, buildAdmissionResponse(admission, outcome));
}

/**
 * The `/mutate` counterpart: when the webhook cannot run, an AdmissionReview is answered `allowed: true` without a
 * patch. The mutating webhook never denies; the validating one, failing closed, is what keeps unverified images out.
 * Returns undefined when the body is not an AdmissionReview.
 */
export function allowUnmutated(event: APIGatewayProxyEventV2): HttpResponse | undefined {
  const admission = admissionOf(event);
  return admission && jsonResponse(200, buildMutationResponse(admission, []));
}

function admissionOf(event: APIGatewayProxyEventV2): AdmissionRequest | undefined {
  const { body, isBase64Encoded } = event;
  if (!body || body.length > MAX_BODY_BYTES * 2) return undefined;
  try {
    const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
    return parseAdmissionReview(JSON.parse(text));
  } catch {
    return undefined;
  }
}
