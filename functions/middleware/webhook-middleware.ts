import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { WebhookRequest } from '../context';
import type { HttpResponse } from '../http';

/** A middleware of the webhook's chain: function URL events in, HttpResponse out (middy's generics, said once). */
export type WebhookMiddleware = middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, Context>;

/** One phase of a webhook middleware; `before` may answer early by returning a response (as the route does). */
export type WebhookMiddlewareFn = (request: WebhookRequest) => Promise<HttpResponse | undefined>;

/**
 * A WebhookMiddleware from phases typed on WebhookRequest. The chain is declared with middy's plain Lambda Context
 * (the Lambda entry and Powertools' middleware pass one); every phase sees it with the `notaryGate` state that
 * gateState() adds on first use. This is the one place that says so, instead of a cast per phase.
 */
export function webhookMiddleware(phases: {
  readonly before?: WebhookMiddlewareFn;
  readonly after?: WebhookMiddlewareFn;
  readonly onError?: WebhookMiddlewareFn;
}): WebhookMiddleware {
  return phases as WebhookMiddleware;
}
