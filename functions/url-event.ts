import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface PlainHttpRequest {
  readonly method: string;
  /** Path and query as sent: `/validate?timeout=10s`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly sourceIp: string;
  readonly body: Buffer;
}

/** Content types a function URL passes as text; other bodies arrive base64-encoded. */
const TEXT_TYPES = /^(text\/|application\/(json|.*\+json|xml|yaml|x-yaml|x-www-form-urlencoded))/i;

/**
 * Builds the event a Lambda function URL would deliver (payload 2.0) for a plain HTTP request, so that `serve`
 * and `review` drive the same handler as AWS does: lower-case headers with repeats joined by commas, the raw
 * query and its parsed parameters, and the body as text or base64 as the function URL would send it.
 */
export function toFunctionUrlEvent(request: PlainHttpRequest, nowMs: number = Date.now()): APIGatewayProxyEventV2 {
  const target = splitRequestTarget(request.url);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie')
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(target.query))
    query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const hasBody = request.body.length > 0;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: target.path,
    rawQueryString: target.query,
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method: request.method.toUpperCase(),
        path: target.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(nowMs).toISOString(),
      timeEpoch: nowMs,
    },
    ...(hasBody ? { body: isText ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !isText,
  };
}

/**
 * The path and query of an HTTP request target, as a function URL reports them (the path as sent). Origin-form
 * (`/validate?timeout=10s`) is split by hand rather than with `new URL(target, base)`, which reads `//x` as a host
 * and throws on `//` or `//[`: a request line must never be able to crash `serve`. Absolute-form
 * (`http://host/validate`) is reduced to its path and query; anything else is kept as the path (and routed to 404).
 */
export function splitRequestTarget(target: string): { path: string; query: string } {
  let rest = target;
  if (!rest.startsWith('/') && URL.canParse(rest)) {
    const url = new URL(rest);
    if (url.protocol === 'http:' || url.protocol === 'https:') rest = `${url.pathname}${url.search}`;
  }
  const hashAt = rest.indexOf('#');
  if (hashAt !== -1) rest = rest.slice(0, hashAt);
  const queryAt = rest.indexOf('?');
  return queryAt === -1 ? { path: rest, query: '' } : { path: rest.slice(0, queryAt), query: rest.slice(queryAt + 1) };
}

/**
 * A Lambda context for local invocations: `getRemainingTimeInMillis` counts down from `timeoutMs` as a real
 * function's would, so deadlines behave the same.
 */
export function localLambdaContext(timeoutMs: number, startedAtMs: number = Date.now()): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'notary-gate-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:notary-gate-local',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/notary-gate-local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, startedAtMs + timeoutMs - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
}
