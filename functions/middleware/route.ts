import { HTTP_PATHS } from '../../shared/constants';
import { gateState, type WebhookRequest } from '../context';
import { HttpError, type HttpResponse, jsonResponse } from '../http';
import { type WebhookMiddleware, webhookMiddleware } from './webhook-middleware';

const defaults = { healthBody: { status: 'ok' } };

/**
 * Routes the function URL request: `GET /healthz` answers at once; `POST /validate`, `POST /mutate` and their
 * `/<token>` forms go on (the endpoint and the token are kept for the handler and the token middleware); other
 * paths are 404 and other methods 405. Nothing is parsed for a request that is not routed.
 */
export function routeMiddleware(options: Partial<typeof defaults> = {}): WebhookMiddleware {
  const { healthBody } = { ...defaults, ...options };
  const routeMiddlewareBefore = async (request: WebhookRequest): Promise<HttpResponse | undefined> => {
    gateState(request); // starts the clock of the invocation
    const method = request.event.requestContext?.http?.method?.toUpperCase() ?? '';
    const path = request.event.rawPath ?? request.event.requestContext?.http?.path ?? '';
    if (path === HTTP_PATHS.health) {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, 'GET, HEAD');
      return jsonResponse(200, healthBody);
    }
    const routed = routeOf(path);
    if (routed === undefined) throw new HttpError(404, 'NOT_FOUND', NO_SUCH_PATH);
    if (method !== 'POST') throw methodNotAllowed(method, 'POST');
    const state = gateState(request);
    state.endpoint = routed.endpoint;
    if (routed.token !== '') state.pathToken = routed.token;
    return undefined;
  };
  return webhookMiddleware({ before: routeMiddlewareBefore });
}

export const NO_SUCH_PATH = 'no such path; the webhook answers POST /validate and POST /mutate';

const ENDPOINTS = [
  { endpoint: 'validate', path: HTTP_PATHS.validate },
  { endpoint: 'mutate', path: HTTP_PATHS.mutate },
] as const;

/** The endpoint and token ('' for none) of `/validate[/<token>]` or `/mutate[/<token>]`; undefined otherwise. */
function routeOf(path: string): { endpoint: 'validate' | 'mutate'; token: string } | undefined {
  for (const { endpoint, path: base } of ENDPOINTS) {
    if (path === base || path === `${base}/`) return { endpoint, token: '' };
    const prefix = `${base}/`;
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    return rest.includes('/') ? undefined : { endpoint, token: rest };
  }
  return undefined;
}

function methodNotAllowed(method: string, allow: string): HttpError {
  return new HttpError(405, 'METHOD_NOT_ALLOWED', `method ${method || '(none)'} is not allowed here; use ${allow}`, {
    headers: { allow },
  });
}
