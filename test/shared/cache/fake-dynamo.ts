/**
 * DynamoDB endpoints that misbehave, on 127.0.0.1 with OS-picked ports, for the failure paths dynalite cannot
 * produce: a port nobody listens on, a server that throttles every request, one that never answers.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface FakeEndpoint {
  readonly endpoint: string;
  readonly requests: () => number;
  stop(): Promise<void>;
}

/** An endpoint on a port that was just closed: connections are refused. */
export async function closedPortEndpoint(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * Answers every request the way DynamoDB throttles: HTTP 400 with a ThrottlingException body, or another
 * throttling error such as ProvisionedThroughputExceededException (a provisioned table over its capacity).
 */
export function throttlingEndpoint(
  exception: 'ThrottlingException' | 'ProvisionedThroughputExceededException' = 'ThrottlingException',
): Promise<FakeEndpoint> {
  return serve((_request, response) => {
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(
      JSON.stringify({
        __type: `com.amazonaws.dynamodb.v20120810#${exception}`,
        message: 'Rate of requests exceeds the allowed throughput.',
      }),
    );
  });
}

/** Accepts requests and never answers: only a timeout gets the caller out. */
export function silentEndpoint(): Promise<FakeEndpoint> {
  return serve(() => {});
}

/**
 * A DynamoDB that can be switched off: while `up`, requests are relayed to `target` (dynalite); while down, every
 * request is throttled. For the same instance before and during an outage.
 */
export async function switchableEndpoint(target: string): Promise<FakeEndpoint & { up: boolean }> {
  const state = { up: true };
  const throttle = (response: http.ServerResponse) => {
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'down' }));
  };
  const fake = await serve((request, response) => {
    if (!state.up) return throttle(response);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const relay = http.request(new URL(request.url ?? '/', target), {
        method: request.method,
        headers: request.headers,
      });
      relay.on('response', (upstream) => {
        response.writeHead(upstream.statusCode ?? 500, upstream.headers);
        upstream.pipe(response);
      });
      relay.on('error', () => throttle(response));
      relay.end(Buffer.concat(chunks));
    });
  }, false);
  return Object.defineProperty(fake, 'up', {
    get: () => state.up,
    set: (value: boolean) => {
      state.up = value;
    },
  }) as FakeEndpoint & { up: boolean };
}

async function serve(handler: http.RequestListener, drain = true): Promise<FakeEndpoint> {
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests++;
    if (drain) request.resume();
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
