import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseAdmissionReview } from '../shared/admission/parse';
import type { AdmissionRequest } from '../shared/admission/types';
import type { Runtime } from '../shared/runtime/runtime';
import type { WebhookContext } from './context';
import { admissionDeadline } from './deadline';

/** What `/validate` and `/mutate` both start from: the runtime, the parsed admission and its deadline. */
export interface AdmissionStart {
  readonly runtime: Runtime;
  readonly admission: AdmissionRequest;
  /** Wall-clock instant by which the answer must be ready (see admissionDeadline). */
  readonly deadlineAtMs: number;
  /** When the invocation started, for the record's duration. */
  readonly startedAtMs: number;
}

/**
 * The prologue both handlers share, after routing, the token check and body parsing: parse the AdmissionReview (a
 * bad one throws InvalidAdmissionReviewError, a 400), keep it on the state at once (so an unexpected failure later
 * still answers its uid), and work out the deadline from the apiserver's `?timeout=` and the Lambda's time left.
 */
export function startAdmission(event: APIGatewayProxyEventV2, context: WebhookContext): AdmissionStart {
  const state = context.notaryGate;
  const admission = parseAdmissionReview(state.body);
  state.admission = admission;
  const deadlineAtMs = admissionDeadline({
    timeoutQuery: event.queryStringParameters?.timeout,
    receivedAtMs: event.requestContext?.timeEpoch,
    nowMs: Date.now(),
    remainingMs:
      typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined,
  });
  // Set by the runtime middleware, which runs before any handler.
  return { runtime: state.runtime!, admission, deadlineAtMs, startedAtMs: state.startedAtMs };
}
