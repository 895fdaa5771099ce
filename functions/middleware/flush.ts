import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { gateState, type WebhookRequest } from '../context';
import type { HttpResponse } from '../http';

/**
 * The longest an invocation waits for cache writes before answering: well inside DEADLINE_MARGIN_MS, so that the
 * answer still reaches the apiserver in time.
 */
export const FLUSH_BUDGET_MS = 300;

/**
 * Flushes the cache's pending writes and the buffered metrics before the invocation returns: Lambda may
 * freeze the instance right after, and work left in memory would be lost or land in a later invocation.
 */
export function flushMiddleware(): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, Context> {
  const flushMiddlewareAfter = async (request: WebhookRequest): Promise<undefined> => {
    await gateState(request).runtime?.flush({ budgetMs: FLUSH_BUDGET_MS });
    return undefined;
  };
  return {
    after: flushMiddlewareAfter as middy.MiddlewareFn<APIGatewayProxyEventV2, HttpResponse, Error, Context>,
    onError: flushMiddlewareAfter as middy.MiddlewareFn<APIGatewayProxyEventV2, HttpResponse, Error, Context>,
  };
}
