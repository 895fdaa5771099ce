import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseAdmissionReview } from '../shared/admission/parse';
import type { AdmissionRequest } from '../shared/admission/types';
import { failedOutcome } from '../shared/decision/decide';
import { InvalidAdmissionReviewError } from '../shared/errors';
import { buildMutationResponse } from '../shared/mutate/response';
import type { Mode } from '../shared/policy/types';
import type { Telemetry } from '../shared/runtime/telemetry';
import { answerAdmission } from './answer';
import { errorResponse, HttpError, type HttpResponse, invalidReviewResponse, jsonResponse } from './http';
import { decodeBody, MAX_BODY_BYTES } from './middleware/body';

/** How the body of a request the chain could not run for is judged: the body middleware's limit. */
export interface FailClosedBody {
  readonly event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>;
  /** The chain's limit (createWebhookHandler's maxBodyBytes); MAX_BODY_BYTES by default. */
  readonly maxBodyBytes?: number | undefined;
}

/**
 * When the webhook cannot run at all (its configuration does not load, or its token secret cannot be read), an
 * AdmissionReview still gets a definite answer: denied, whatever the webhook's failurePolicy says, because a policy
 * that cannot be read must not turn into "admit everything" under `failurePolicy: Ignore`. Any other body gets what
 * the loaded chain answers it (judgeBody): 413 past the limit, 400 with the reason when it is not JSON or not an
 * AdmissionReview. Never a 5xx.
 */
export function denyForBrokenConfiguration(
  request: FailClosedBody,
  reason: string,
  record: {
    readonly startedAtMs: number;
    readonly telemetry: Telemetry | undefined;
    /**
     * The policy's mode when it loaded (audit admits with a warning); enforce when there is no policy, whatever
     * POLICY_DEFAULTS.mode says: without a policy nothing chose audit, and the webhook fails closed.
     */
    readonly mode?: Mode | undefined;
  },
): HttpResponse {
  const mode = record.mode ?? 'enforce';
  return judgeBody(request, (admission) =>
    answerAdmission(
      { telemetry: record.telemetry, policy: { mode } },
      admission,
      failedOutcome(mode, reason),
      record.startedAtMs,
    ),
  );
}

/**
 * The `/mutate` counterpart: when the webhook cannot run, an AdmissionReview is answered `allowed: true` without a
 * patch. The mutating webhook never denies; the validating one, failing closed, is what keeps unverified images out.
 * Any other body is judged as in denyForBrokenConfiguration (413, or 400 with the reason).
 */
export function allowUnmutated(request: FailClosedBody): HttpResponse {
  return judgeBody(request, (admission) => jsonResponse(200, buildMutationResponse(admission, [])));
}

/**
 * `answer(admission)` for an AdmissionReview, else the error response the loaded chain gives the same body: the body
 * middleware's 413/400 (decodeBody), or the parser's 400 with its reason (startAdmission's parseAdmissionReview).
 *
 * These answers go out before the caller is authenticated: with no configuration, or no readable token secret, the
 * webhook token cannot be checked. That is safe. A 413 or 400 tells the caller only about the bytes it sent itself,
 * judged against the public AdmissionReview schema (never the policy, the token or the failure, which go to the log
 * only), and starts no verification; an AdmissionReview is denied, which tells a caller without the token nothing it
 * could use either. A 403 instead would claim a token check that did not happen and hide a malformed body from the
 * operator who is debugging the outage; a 5xx would let `failurePolicy: Ignore` admit.
 */
function judgeBody(request: FailClosedBody, answer: (admission: AdmissionRequest) => HttpResponse): HttpResponse {
  let body: unknown;
  try {
    body = decodeBody(request.event, request.maxBodyBytes ?? MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof HttpError) return errorResponse(error);
    throw error;
  }
  let admission: AdmissionRequest;
  try {
    admission = parseAdmissionReview(body);
  } catch (error) {
    if (error instanceof InvalidAdmissionReviewError) return invalidReviewResponse(error);
    throw error;
  }
  return answer(admission);
}
