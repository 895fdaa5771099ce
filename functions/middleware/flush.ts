import { describeError } from '../../shared/describe-error';
import { gateState, type WebhookRequest } from '../context';
import { type WebhookMiddleware, webhookMiddleware } from './webhook-middleware';

/**
 * The longest an invocation waits for cache writes before answering: well inside DEADLINE_MARGIN_MS, so that the
 * answer still reaches the apiserver in time.
 */
export const FLUSH_BUDGET_MS = 300;

/**
 * Flushes the cache's pending writes and the buffered metrics before the invocation returns: Lambda may
 * freeze the instance right after, and work left in memory would be lost or land in a later invocation. A flush
 * that fails (a metrics sink that throws) never changes the answer: after the handler it would otherwise send the
 * decided request through the error handler (a second decision), and after the error handler out of the chain (a
 * 5xx). The runtime already keeps cache-write failures to a warning; this covers the rest.
 */
export function flushMiddleware(): WebhookMiddleware {
  const flushMiddlewareAfter = async (request: WebhookRequest): Promise<undefined> => {
    const runtime = gateState(request).runtime;
    try {
      await runtime?.flush({ budgetMs: FLUSH_BUDGET_MS });
    } catch (error) {
      try {
        runtime?.telemetry.observer.warn('flush failed; the answer stands', { error: describeError(error) });
      } catch {
        // The sink that failed to flush may fail to warn too; the answer matters more.
      }
    }
    return undefined;
  };
  return webhookMiddleware({ after: flushMiddlewareAfter, onError: flushMiddlewareAfter });
}
