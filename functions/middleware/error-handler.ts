import { failedOutcome } from '../../shared/decision/decide';
import { describeError } from '../../shared/describe-error';
import { InvalidAdmissionReviewError, NotaryGateError } from '../../shared/errors';
import type { Telemetry } from '../../shared/runtime/telemetry';
import { answerAdmission } from '../answer';
import { gateState, type WebhookRequest } from '../context';
import { allowUnmutated, denyForBrokenConfiguration } from '../fail-closed';
import { errorResponse, HttpError, type HttpResponse } from '../http';
import { answerMutation } from '../mutation-handler';
import { type WebhookMiddleware, webhookMiddleware } from './webhook-middleware';

export interface ErrorHandlerOptions {
  /** Where errors before the runtime loaded are reported (the runtime's own telemetry once it has). */
  readonly telemetry?: Telemetry;
  /** The body middleware's limit, so that a request the chain could not run for is judged alike. */
  readonly maxBodyBytes?: number;
}

/**
 * Turns every error into a definite HTTP answer. A client's mistake is a 4xx with `{ error, reason }`, never a
 * 5xx. An unexpected failure after the AdmissionReview parsed still answers it, per policy: denied in enforce
 * mode, admitted with a warning in audit mode. A configuration that does not load, or any other failure before the
 * review (a webhook token secret that cannot be read), denies an AdmissionReview (fail closed, whatever the
 * failurePolicy). Its body is judged as the body middleware judges it (413 past `maxBodyBytes`, 400 when not JSON);
 * only JSON that is not an AdmissionReview is a 500.
 */
export function errorHandlerMiddleware(options: ErrorHandlerOptions = {}): WebhookMiddleware {
  const errorHandlerMiddlewareOnError = async (request: WebhookRequest): Promise<undefined> => {
    const error = request.error;
    const state = gateState(request);
    const body = { event: request.event, maxBodyBytes: options.maxBodyBytes };
    if (error instanceof HttpError) {
      request.response = errorResponse(error);
      return undefined;
    }
    if (error instanceof InvalidAdmissionReviewError) {
      request.response = errorResponse(new HttpError(400, error.code, error.message, { cause: error }));
      return undefined;
    }
    if (state.endpoint === 'mutate') {
      request.response = answerFailedMutation(request, error, options);
      return undefined;
    }
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
      request.response = answerAdmission(runtime, state.admission, outcome, state.startedAtMs);
      return undefined;
    }
    if (error instanceof NotaryGateError) {
      // Configuration errors (a bad policy, a malformed token setting): the operator must fix them. The details go
      // to the log only: the caller may not have passed the token check yet (it needs the configuration too).
      telemetry?.error('configuration error', { code: error.code, error: reason });
      request.response =
        denyForBrokenConfiguration(
          body,
          `notary-gate's configuration is invalid (${error.code}); every image is denied until it is fixed (see the webhook's log)`,
          { startedAtMs: state.startedAtMs, telemetry },
        ) ??
        errorResponse(
          new HttpError(500, 'CONFIG_ERROR', `the webhook's configuration is invalid (${error.code}); see its log`, {
            expose: true,
          }),
        );
      return undefined;
    }
    telemetry?.error('request failed unexpectedly', { error: reason });
    // As for a broken configuration: a webhook that cannot run (its token secret unreadable, say) must not become
    // "admit everything" under failurePolicy: Ignore. An AdmissionReview is denied; anything else gets the 500.
    request.response =
      denyForBrokenConfiguration(
        body,
        "notary-gate could not run (an internal failure before the review; see the webhook's log), so no image could be checked",
        { startedAtMs: state.startedAtMs, telemetry, mode: runtime?.policy.mode },
      ) ?? errorResponse(new HttpError(500, 'INTERNAL_ERROR', reason, { expose: false }));
    return undefined;
  };
  return webhookMiddleware({ onError: errorHandlerMiddlewareOnError });
}

/**
 * `/mutate` never denies: after an unexpected failure the AdmissionReview is answered `allowed: true` without a
 * patch (and still logged and counted when it parsed); `/validate` then decides about the images as written.
 */
function answerFailedMutation(request: WebhookRequest, error: unknown, options: ErrorHandlerOptions): HttpResponse {
  const state = gateState(request);
  const runtime = state.runtime;
  const reason = describeError(error);
  const telemetry = runtime?.telemetry ?? options.telemetry;
  telemetry?.error('mutation failed unexpectedly; answering without a patch', {
    ...(state.admission && { uid: state.admission.uid }),
    ...(error instanceof NotaryGateError && { code: error.code }),
    error: reason,
  });
  if (runtime && state.admission)
    return answerMutation(runtime, state.admission, { pins: [], unpinned: [] }, state.startedAtMs);
  return (
    allowUnmutated({ event: request.event, maxBodyBytes: options.maxBodyBytes }) ??
    errorResponse(new HttpError(500, 'INTERNAL_ERROR', reason, { expose: false }))
  );
}
