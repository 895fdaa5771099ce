import { localLambdaContext, toFunctionUrlEvent } from '../../functions/url-event';

describe('function URL event from a plain HTTP request', () => {
  const event = toFunctionUrlEvent(
    {
      method: 'post',
      url: '/validate/tok?timeout=10s&a=1&a=2',
      headers: { 'content-type': 'application/json', 'x-many': ['1', '2'], host: 'localhost:8443', cookie: 'c=1' },
      sourceIp: '127.0.0.1',
      body: Buffer.from('{"x":1}'),
    },
    Date.UTC(2026, 0, 1),
  );

  it('carries the raw path, the query and its parameters as AWS delivers them', () => {
    expect(event).toMatchObject({
      version: '2.0',
      rawPath: '/validate/tok',
      rawQueryString: 'timeout=10s&a=1&a=2',
      queryStringParameters: { timeout: '10s', a: '1,2' },
      requestContext: {
        http: { method: 'POST', path: '/validate/tok', sourceIp: '127.0.0.1' },
        timeEpoch: Date.UTC(2026, 0, 1),
      },
    });
  });

  it('joins repeated headers and keeps cookies out of the headers', () => {
    expect(event.headers['x-many']).toBe('1,2');
    expect(event.headers.cookie).toBeUndefined();
  });

  it('passes a JSON body as text and other bodies as base64', () => {
    expect(event).toMatchObject({ body: '{"x":1}', isBase64Encoded: false });
    const binary = toFunctionUrlEvent({
      method: 'POST',
      url: '/',
      headers: {},
      sourceIp: '::1',
      body: Buffer.from([0xff, 0x00]),
    });
    expect(binary).toMatchObject({ body: '/wA=', isBase64Encoded: true });
  });
});

describe('local Lambda context', () => {
  it('counts the remaining time down from the function timeout', () => {
    const startedAt = Date.now();
    const remaining = localLambdaContext(30_000, startedAt - 10_000).getRemainingTimeInMillis();
    expect(remaining).toBeLessThanOrEqual(20_000);
    expect(remaining).toBeGreaterThan(0);
  });
});
