import type { AdmissionRequest } from '../shared/admission/types';
import { buildAdmissionResponse } from '../shared/decision/response';
import type { ReviewOutcome } from '../shared/decision/types';
import { buildDecisionRecord } from '../shared/log/decision-log';
import { recordDecisionMetrics } from '../shared/log/decision-metrics';
import type { Mode } from '../shared/policy/types';
import type { Telemetry } from '../shared/runtime/telemetry';
import { type HttpResponse, jsonResponse } from './http';

/**
 * What an answer is recorded with: a loaded Runtime (which fits as it is), or, when the configuration did not load,
 * the fallback telemetry (none when the caller gave none) and the mode to log.
 */
export interface AnswerContext {
  readonly telemetry: Telemetry | undefined;
  readonly policy: { readonly mode: Mode };
}

/**
 * Answers one admission: the AdmissionReview response, the one decision record, and the metrics. Every
 * admission answered with a decision, including the fail-closed ones, goes through here exactly once.
 */
export function answerAdmission(
  context: AnswerContext,
  admission: AdmissionRequest,
  outcome: ReviewOutcome,
  startedAtMs: number,
): HttpResponse {
  const review = buildAdmissionResponse(admission, outcome);
  const durationMs = Date.now() - startedAtMs;
  const { telemetry, policy } = context;
  telemetry?.logDecision(buildDecisionRecord(admission, outcome, { mode: policy.mode, durationMs }));
  // Counted like every other answered admission, so that Admissions and Denials{INTERNAL_ERROR} show an outage.
  if (telemetry) recordDecisionMetrics(telemetry.observer, outcome, durationMs);
  return jsonResponse(200, review);
}
