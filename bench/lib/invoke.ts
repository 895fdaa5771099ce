/**
 * Drives a webhook handler the way a Lambda function URL does: a payload 2.0 event made fresh for each call (the
 * deadline counts from its arrival time) and a Lambda context with the function's timeout.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { WebhookHandler } from '../../functions/context';
import { localLambdaContext, toFunctionUrlEvent } from '../../functions/url-event';
import { WEBHOOK_TIMEOUT_SECONDS } from '../../shared/constants';
import { elapsedMs } from './stats';

export function validateEvent(body: string): APIGatewayProxyEventV2 {
  return toFunctionUrlEvent({
    method: 'POST',
    url: '/validate?timeout=10s',
    headers: { 'content-type': 'application/json', host: 'bench.lambda-url.eu-west-1.on.aws' },
    sourceIp: '10.0.0.1',
    body: Buffer.from(body, 'utf8'),
  });
}

export interface Invocation {
  readonly statusCode: number;
  readonly allowed: boolean;
  readonly ms: number;
}

/** One admission through the handler; `allowed` is false for anything but a 200 that admits. */
export async function invokeAdmission(handler: WebhookHandler, body: string): Promise<Invocation> {
  const event = validateEvent(body);
  const context = localLambdaContext(WEBHOOK_TIMEOUT_SECONDS * 1000);
  const started = process.hrtime.bigint();
  const result = await handler(event, context);
  const ms = elapsedMs(started);
  const statusCode = result.statusCode ?? 0;
  const allowed = statusCode === 200 && JSON.parse(result.body ?? '{}').response?.allowed === true;
  return { statusCode, allowed, ms };
}
