import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseAdmissionReview } from '../shared/admission/parse';
import { answerAdmission } from './answer';
import type { WebhookContext } from './context';
import { admissionDeadline } from './deadline';
import type { HttpResponse } from './http';

/**
 * The core of the chain, after routing, the token check and body parsing: parse the AdmissionReview (a bad
 * one throws InvalidAdmissionReviewError, a 400), review its images before the deadline, answer.
 */
export async function admissionHandler(event: APIGatewayProxyEventV2, context: WebhookContext): Promise<HttpResponse> {
  const state = context.notaryGate;
  const runtime = state.runtime!;
  const admission = parseAdmissionReview(state.body);
  state.admission = admission;
  const deadlineAtMs = admissionDeadline({
    timeoutQuery: event.queryStringParameters?.timeout,
    receivedAtMs: event.requestContext?.timeEpoch,
    nowMs: Date.now(),
    remainingMs:
      typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined,
  });
  const outcome = await runtime.engine.review(admission, { nowMs: runtime.clock(), deadlineAtMs });
  return answerAdmission(runtime, admission, outcome, state.startedAtMs);
}
