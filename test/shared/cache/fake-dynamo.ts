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

async function serve(handler: http.RequestListener): Promise<FakeEndpoint> {
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests++;
    request.resume();
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
