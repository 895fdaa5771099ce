import type { MiddyfiedHandler, Request } from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { AdmissionRequest } from '../shared/admission/types';
import type { Runtime } from '../shared/runtime/runtime';
import type { HttpResponse } from './http';

/** What the middlewares learn about an invocation, in order: the runtime, the JSON body, the admission. */
export interface WebhookContext extends Context {
  notaryGate: {
    /** Set by the runtime middleware. */
    runtime?: Runtime;
    /** Set by the body middleware: the parsed JSON body. */
    body?: unknown;
    /** Set as soon as the AdmissionReview parsed, so that an unexpected error can still answer its uid. */
    admission?: AdmissionRequest;
    /** The token segment of `/validate/<token>` or `/mutate/<token>`, when present (set by the route middleware). */
    pathToken?: string;
    /** Which webhook the request is for (set by the route middleware): the validating or the mutating one. */
    endpoint?: 'validate' | 'mutate';
    /** Wall-clock start of the invocation (epoch ms). */
    startedAtMs: number;
  };
}

export type WebhookRequest = Request<APIGatewayProxyEventV2, HttpResponse, Error, WebhookContext>;
export type WebhookHandler = MiddyfiedHandler<APIGatewayProxyEventV2, HttpResponse, Error, Context>;

/** The per-invocation state, created on first use (middy passes the Lambda context through). */
export function gateState(request: Pick<WebhookRequest, 'context'>): WebhookContext['notaryGate'] {
  request.context.notaryGate ??= { startedAtMs: Date.now() };
  return request.context.notaryGate;
}
