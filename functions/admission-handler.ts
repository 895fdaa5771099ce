import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { startAdmission } from './admission-start';
import { answerAdmission } from './answer';
import type { WebhookContext } from './context';
import type { HttpResponse } from './http';

/**
 * `/validate`, the core of the chain after routing, the token check and body parsing: parse the AdmissionReview
 * (startAdmission; a bad one is a 400), review its images before the deadline, answer.
 */
export async function admissionHandler(event: APIGatewayProxyEventV2, context: WebhookContext): Promise<HttpResponse> {
  const { runtime, admission, deadlineAtMs, startedAtMs } = startAdmission(event, context);
  const outcome = await runtime.engine.review(admission, { nowMs: runtime.clock(), deadlineAtMs });
  return answerAdmission(runtime, admission, outcome, startedAtMs);
}
