import type { Runtime } from '../../shared/runtime/runtime';
import { gateState, type WebhookRequest } from '../context';
import { type WebhookMiddleware, webhookMiddleware } from './webhook-middleware';

/**
 * Puts the runtime (policy, engine, caches, token source) on the context. `load` is called on the first
 * request and its result kept for the life of the instance; a failed load (a bad policy, say) is retried on
 * the next request instead of being cached, so fixing the configuration does not need a redeploy.
 */
export function runtimeMiddleware(load: () => Promise<Runtime>): WebhookMiddleware {
  let loading: Promise<Runtime> | undefined;
  const runtimeMiddlewareBefore = async (request: WebhookRequest): Promise<undefined> => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    gateState(request).runtime = await loading;
    return undefined;
  };
  return webhookMiddleware({ before: runtimeMiddlewareBefore });
}
