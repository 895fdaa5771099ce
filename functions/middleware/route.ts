import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { HTTP_PATHS } from '../../shared/constants';
import { gateState, type WebhookRequest } from '../context';
import { HttpError, type HttpResponse, jsonResponse } from '../http';

const defaults = { healthBody: { status: 'ok' } };

/**
 * Routes the function URL request: `GET /healthz` answers at once; `POST /validate` and
 * `POST /validate/<token>` go on (the token is kept for the token middleware); other paths are 404 and other
 * methods 405. Nothing is parsed for a request that is not routed.
 */
export function routeMiddleware(
  options: Partial<typeof defaults> = {},
): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, Context> {
  const { healthBody } = { ...defaults, ...options };
  const routeMiddlewareBefore = async (request: WebhookRequest): Promise<HttpResponse | undefined> => {
    gateState(request); // starts the clock of the invocation
    const method = request.event.requestContext?.http?.method?.toUpperCase() ?? '';
    const path = request.event.rawPath ?? request.event.requestContext?.http?.path ?? '';
    if (path === HTTP_PATHS.health) {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, 'GET, HEAD');
      return jsonResponse(200, healthBody);
    }
    const pathToken = validatePathToken(path);
    if (pathToken === undefined)
      throw new HttpError(404, 'NOT_FOUND', 'no such path; the webhook answers POST /validate');
    if (method !== 'POST') throw methodNotAllowed(method, 'POST');
    if (pathToken !== '') gateState(request).pathToken = pathToken;
    return undefined;
  };
  return { before: routeMiddlewareBefore as middy.MiddlewareFn<APIGatewayProxyEventV2, HttpResponse, Error, Context> };
}

/** '' for `/validate`, the segment for `/validate/<token>`, undefined for any other path. */
function validatePathToken(path: string): string | undefined {
  if (path === HTTP_PATHS.validate || path === `${HTTP_PATHS.validate}/`) return '';
  const prefix = `${HTTP_PATHS.validate}/`;
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  return rest.includes('/') ? undefined : rest;
}

function methodNotAllowed(method: string, allow: string): HttpError {
  return new HttpError(405, 'METHOD_NOT_ALLOWED', `method ${method || '(none)'} is not allowed here; use ${allow}`, {
    headers: { allow },
  });
}
