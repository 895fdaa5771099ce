import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseAdmissionReview } from '../shared/admission/parse';
import type { AdmissionRequest } from '../shared/admission/types';
import { failedOutcome } from '../shared/decision/decide';
import { buildMutationResponse } from '../shared/mutate/response';
import type { Mode } from '../shared/policy/types';
import type { Telemetry } from '../shared/runtime/telemetry';
import { answerAdmission } from './answer';
import { errorResponse, HttpError, type HttpResponse, jsonResponse } from './http';
import { decodeBody, MAX_BODY_BYTES } from './middleware/body';

/** How the body of a request the chain could not run for is judged: the body middleware's limit. */
export interface FailClosedBody {
  readonly event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>;
  /** The chain's limit (createWebhookHandler's maxBodyBytes); MAX_BODY_BYTES by default. */
  readonly maxBodyBytes?: number | undefined;
}

/**
 * When the webhook cannot run at all (its configuration does not load), an AdmissionReview still gets a definite
 * answer: denied, whatever the webhook's failurePolicy says, because a policy that cannot be read must not turn
 * into "admit everything" under `failurePolicy: Ignore`. A body the body middleware would refuse gets the same
 * answer here (413 past the limit, 400 when it is not JSON), never a 5xx. Returns undefined when the body is JSON
 * but not an AdmissionReview (the caller then answers with the HTTP error).
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
): HttpResponse | undefined {
  const mode = record.mode ?? 'enforce';
  return answerBody(request, (admission) =>
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
 * The body is judged as in denyForBrokenConfiguration; undefined when it is JSON but not an AdmissionReview.
 */
export function allowUnmutated(request: FailClosedBody): HttpResponse | undefined {
  return answerBody(request, (admission) => jsonResponse(200, buildMutationResponse(admission, [])));
}

/** `answer(admission)`, the body's 413/400 error response, or undefined for JSON that is not an AdmissionReview. */
function answerBody(
  request: FailClosedBody,
  answer: (admission: AdmissionRequest) => HttpResponse,
): HttpResponse | undefined {
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
  } catch {
    return undefined;
  }
  return answer(admission);
}
