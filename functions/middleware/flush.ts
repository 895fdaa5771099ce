import { gateState, type WebhookRequest } from '../context';
import { type WebhookMiddleware, webhookMiddleware } from './webhook-middleware';

/**
 * The longest an invocation waits for cache writes before answering: well inside DEADLINE_MARGIN_MS, so that the
 * answer still reaches the apiserver in time.
 */
export const FLUSH_BUDGET_MS = 300;

/**
 * Flushes the cache's pending writes and the buffered metrics before the invocation returns: Lambda may
 * freeze the instance right after, and work left in memory would be lost or land in a later invocation.
 */
export function flushMiddleware(): WebhookMiddleware {
  const flushMiddlewareAfter = async (request: WebhookRequest): Promise<undefined> => {
    await gateState(request).runtime?.flush({ budgetMs: FLUSH_BUDGET_MS });
    return undefined;
  };
  return webhookMiddleware({ after: flushMiddlewareAfter, onError: flushMiddlewareAfter });
}
