import { failedOutcome } from '../../shared/decision/decide';
import { describeError } from '../../shared/describe-error';
import { InvalidAdmissionReviewError, NotaryGateError } from '../../shared/errors';
import type { Telemetry } from '../../shared/runtime/telemetry';
import { answerAdmission } from '../answer';
import { gateState, type WebhookRequest } from '../context';
import { allowUnmutated, denyForBrokenConfiguration, type FailClosedBody } from '../fail-closed';
import { errorResponse, HttpError, type HttpResponse, invalidReviewResponse } from '../http';
import { answerMutation } from '../mutation-handler';
import { type WebhookMiddleware, webhookMiddleware } from './webhook-middleware';

export interface ErrorHandlerOptions {
  /** Where errors before the runtime loaded are reported (the runtime's own telemetry once it has). */
  readonly telemetry?: Telemetry;
  /** The body middleware's limit, so that a request the chain could not run for is judged alike. */
  readonly maxBodyBytes?: number;
}

/**
 * Turns every error into a definite HTTP answer, never a 5xx (under `failurePolicy: Ignore` a 5xx admits). A
 * client's mistake is a 4xx with `{ error, reason }`. An unexpected failure after the AdmissionReview parsed still
 * answers it, per policy: denied in enforce mode, admitted with a warning in audit mode. A configuration that does
 * not load, or any other failure before the review (a webhook token secret that cannot be read), denies an
 * AdmissionReview (fail closed, whatever the failurePolicy); any other body gets what the loaded chain answers it
 * (413 past `maxBodyBytes`, 400 with the reason when it is not JSON or not an AdmissionReview). Should answering
 * itself fail (its telemetry throws, say), the request is answered alike without being recorded (answerUnrecorded).
 */
export function errorHandlerMiddleware(options: ErrorHandlerOptions = {}): WebhookMiddleware {
  const errorHandlerMiddlewareOnError = async (request: WebhookRequest): Promise<undefined> => {
    try {
      request.response = answerError(request, options);
    } catch (failure) {
      request.response = answerUnrecorded(request, options, failure);
    }
    return undefined;
  };
  return webhookMiddleware({ onError: errorHandlerMiddlewareOnError });
}

function answerError(request: WebhookRequest, options: ErrorHandlerOptions): HttpResponse {
  const error = request.error;
  const state = gateState(request);
  if (error instanceof HttpError) return errorResponse(error);
  if (error instanceof InvalidAdmissionReviewError) return invalidReviewResponse(error);
  if (state.endpoint === 'mutate') return answerFailedMutation(request, error, options);
  const body = bodyOf(request, options);
  const runtime = state.runtime;
  // Before the runtime loaded (a bad configuration) its telemetry is missing: report through the fallback.
  const telemetry = runtime?.telemetry ?? options.telemetry;
  const reason = describeError(error);
  if (runtime && state.admission) {
    runtime.telemetry.error('admission failed unexpectedly; answering per policy', {
      uid: state.admission.uid,
      error: reason,
    });
    const outcome = failedOutcome(
      runtime.policy.mode,
      'notary-gate could not complete the review (an internal error); the images are denied until they can be verified',
    );
    return answerAdmission(runtime, state.admission, outcome, state.startedAtMs);
  }
  if (error instanceof NotaryGateError) {
    // Configuration errors (a bad policy, a malformed token setting): the operator must fix them. The details go
    // to the log only: the caller may not have passed the token check yet (it needs the configuration too).
    telemetry?.error('configuration error', { code: error.code, error: reason });
    return denyForBrokenConfiguration(
      body,
      `notary-gate's configuration is invalid (${error.code}); every image is denied until it is fixed (see the webhook's log)`,
      { startedAtMs: state.startedAtMs, telemetry },
    );
  }
  telemetry?.error('request failed unexpectedly', { error: reason });
  // As for a broken configuration: a webhook that cannot run (its token secret unreadable, say) must not become
  // "admit everything" under failurePolicy: Ignore. An AdmissionReview is denied, in the mode of the policy that
  // loaded; the caller could not be authenticated, which fail-closed.ts explains is safe for these answers.
  return denyForBrokenConfiguration(body, CANNOT_RUN, {
    startedAtMs: state.startedAtMs,
    telemetry,
    mode: runtime?.policy.mode,
  });
}

const CANNOT_RUN =
  "notary-gate could not run (an internal failure before the review; see the webhook's log), so no image could be checked";

/**
 * `/mutate` never denies: after an unexpected failure the AdmissionReview is answered `allowed: true` without a
 * patch (and still logged and counted when it parsed); `/validate` then decides about the images as written.
 */
function answerFailedMutation(request: WebhookRequest, error: unknown, options: ErrorHandlerOptions): HttpResponse {
  const state = gateState(request);
  const runtime = state.runtime;
  const telemetry = runtime?.telemetry ?? options.telemetry;
  telemetry?.error('mutation failed unexpectedly; answering without a patch', {
    ...(state.admission && { uid: state.admission.uid }),
    ...(error instanceof NotaryGateError && { code: error.code }),
    error: describeError(error),
  });
  if (runtime && state.admission)
    return answerMutation(runtime, state.admission, { pins: [], unpinned: [] }, state.startedAtMs);
  return allowUnmutated(bodyOf(request, options));
}

/**
 * The last resort, when answering the error failed too (a logger or metrics sink that throws): the same answer from
 * pure parts only, with nothing recorded, because recording is what failed. `/validate` denies an AdmissionReview
 * (audit admits it with the warning), `/mutate` admits it unpatched, any other body gets its 413/400. The failure goes
 * to standard error as one JSON line (the Lambda's log group still gets it), the one sink left; a line that cannot
 * be written does not stop the answer.
 */
function answerUnrecorded(request: WebhookRequest, options: ErrorHandlerOptions, failure: unknown): HttpResponse {
  const state = gateState(request);
  try {
    console.error(
      JSON.stringify({
        level: 'ERROR',
        message: 'answering an error failed; answered unrecorded',
        error: describeError(failure),
      }),
    );
  } catch {
    // Nothing left to report to; the answer below matters more.
  }
  if (request.error instanceof HttpError) return errorResponse(request.error);
  const body = bodyOf(request, options);
  if (state.endpoint === 'mutate') return allowUnmutated(body);
  return denyForBrokenConfiguration(body, UNRECORDED_FAILURE, {
    startedAtMs: state.startedAtMs,
    telemetry: undefined,
    mode: state.runtime?.policy.mode,
  });
}

const UNRECORDED_FAILURE =
  "notary-gate failed while answering (an internal error; see the webhook's log), so no image could be checked";

function bodyOf(request: WebhookRequest, options: ErrorHandlerOptions): FailClosedBody {
  return { event: request.event, maxBodyBytes: options.maxBodyBytes };
}
