import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Runtime } from '../shared/runtime/runtime';
import type { Telemetry } from '../shared/runtime/telemetry';
import { admissionHandler } from './admission-handler';
import type { WebhookContext, WebhookHandler } from './context';
import type { HttpResponse } from './http';
import { jsonBodyMiddleware } from './middleware/body';
import { errorHandlerMiddleware } from './middleware/error-handler';
import { flushMiddleware } from './middleware/flush';
import { routeMiddleware } from './middleware/route';
import { runtimeMiddleware } from './middleware/runtime-loader';
import type { WebhookMiddleware } from './middleware/webhook-middleware';
import { webhookTokenMiddleware } from './middleware/webhook-token';
import { mutationHandler } from './mutation-handler';

/**
 * The webhook as a middy chain on function URL events (payload 2.0). The Lambda, `serve` and `review` all call
 * a handler made here, so they answer alike. `/validate` decides, `/mutate` pins digests; both share the chain (and so
 * the token, the body limit and the deadline). Order matters: route (404/405, /healthz) -> runtime -> token
 * (before any body is read) -> body (413/400) -> the admission. onError runs in reverse: the error handler
 * answers first, then the flush.
 */
export function createWebhookHandler(
  loadRuntime: () => Promise<Runtime>,
  options: {
    maxBodyBytes?: number;
    telemetry?: Telemetry;
    /** Run first (e.g. Powertools' injectLambdaContext in the Lambda entry). */
    middlewares?: WebhookMiddleware[];
  } = {},
): WebhookHandler {
  return middy<APIGatewayProxyEventV2, HttpResponse, Error, Context>()
    .use(options.middlewares ?? [])
    .use(flushMiddleware())
    .use(
      errorHandlerMiddleware({
        ...(options.telemetry && { telemetry: options.telemetry }),
        ...(options.maxBodyBytes && { maxBodyBytes: options.maxBodyBytes }),
      }),
    )
    .use(routeMiddleware())
    .use(runtimeMiddleware(loadRuntime))
    .use(webhookTokenMiddleware())
    .use(jsonBodyMiddleware(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}))
    .handler((event, context) => {
      const webhookContext = context as WebhookContext;
      return webhookContext.notaryGate.endpoint === 'mutate'
        ? mutationHandler(event, webhookContext)
        : admissionHandler(event, webhookContext);
    });
}
