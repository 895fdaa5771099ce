import type { AdmissionRequest } from '../shared/admission/types';
import { buildAdmissionResponse } from '../shared/decision/response';
import type { ReviewOutcome } from '../shared/decision/types';
import { buildDecisionRecord } from '../shared/log/decision-log';
import { recordDecisionMetrics } from '../shared/log/decision-metrics';
import type { Runtime } from '../shared/runtime/runtime';
import { type HttpResponse, jsonResponse } from './http';

/**
 * Answers one admission: the AdmissionReview response, the one decision record, and the metrics. Every
 * admission answered with a decision, including the fail-closed ones, goes through here exactly once.
 */
export function answerAdmission(
  runtime: Runtime,
  admission: AdmissionRequest,
  outcome: ReviewOutcome,
  startedAtMs: number,
): HttpResponse {
  const review = buildAdmissionResponse(admission, outcome);
  const durationMs = Date.now() - startedAtMs;
  runtime.telemetry.logDecision(buildDecisionRecord(admission, outcome, { mode: runtime.policy.mode, durationMs }));
  recordDecisionMetrics(runtime.telemetry.observer, outcome, durationMs);
  return jsonResponse(200, review);
}
