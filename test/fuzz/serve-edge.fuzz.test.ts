/**
 * Fuzzing `serve`, the local HTTP server in front of the same handler: raw request lines over TCP with odd
 * request targets (`//`, absolute URLs, `*`, stray percent signs, random printable bytes), random methods and
 * bodies. The server answers each one, never with a 5xx, and keeps serving afterwards.
 */
import net from 'node:net';
import fc from 'fast-check';
import { type LocalServer, startLocalServer } from '../../functions/local-server';
import { splitRequestTarget } from '../../functions/url-event';
import { captureLambdaOutput } from '../faults/support/lambda-output';
import { webhookUnderTest } from '../faults/support/webhook';
import { fuzzParams } from './support/params';

/** Sends one raw HTTP/1.1 request and returns the status code of the answer (0 when none came). */
function rawRequest(port: number, method: string, target: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      const head = Buffer.concat(chunks).toString('latin1');
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0));
    });
    const bytes = Buffer.from(body, 'utf8');
    socket.end(
      Buffer.concat([
        Buffer.from(
          `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`,
          'latin1',
        ),
        bytes,
      ]),
    );
  });
}

const ODD_TARGETS = [
  '//',
  '//[',
  '//a:b@/',
  '//x:99999/',
  '///validate',
  '//validate',
  'http://127.0.0.1/validate',
  'http://[/validate',
  '*',
  '/validate#fragment',
  '/%',
  '/validate?%zz',
  '/validate?timeout=%ff',
];

describe('serve under fuzzing', () => {
  let server: LocalServer;
  beforeAll(async () => {
    const gate = webhookUnderTest({ policy: { defaultAction: 'deny', rules: [] } });
    server = await startLocalServer({
      host: '127.0.0.1',
      port: 0,
      // Keep the Lambda's log lines out of the test output.
      handler: (event, context) => captureLambdaOutput(() => gate.handler(event, context)).then((r) => r.result),
    });
  });
  afterAll(() => server?.close());

  it.each(ODD_TARGETS)('answers the request target %p without a 5xx', async (target) => {
    const status = await rawRequest(server.port, 'POST', target, '{}');
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });

  it('answers random request lines without a 5xx, and still answers /healthz afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS'),
        fc.oneof(
          fc.constantFrom(...ODD_TARGETS),
          fc.stringMatching(/^\/[\x21-\x7e]{0,30}$/),
          fc.stringMatching(/^[\x21-\x7e]{1,30}$/),
        ),
        fc.oneof(fc.constant(''), fc.string({ maxLength: 100 })),
        async (method, target, body) => {
          const status = await rawRequest(server.port, method, target, body);
          expect(status).toBeGreaterThanOrEqual(200);
          expect(status).toBeLessThan(500);
        },
      ),
      fuzzParams(150),
    );
    await expect(rawRequest(server.port, 'GET', '/healthz', '')).resolves.toBe(200);
  });
});

describe('splitting a request target under fuzzing', () => {
  it('never throws, and keeps an origin-form path and query exactly as sent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), (p, q) => {
        const path = `/${p.replace(/[?#]/g, '')}`;
        const query = q?.replace(/#/g, '');
        expect(splitRequestTarget(query === undefined ? path : `${path}?${query}`)).toEqual({
          path,
          query: query ?? '',
        });
      }),
      fuzzParams(300),
    );
  });

  it('reduces an absolute-form target to its path and query, and keeps anything else as a path', () => {
    expect(splitRequestTarget('http://127.0.0.1:8443/validate?timeout=5s')).toEqual({
      path: '/validate',
      query: 'timeout=5s',
    });
    expect(splitRequestTarget('*')).toEqual({ path: '*', query: '' });
    expect(splitRequestTarget('//[')).toEqual({ path: '//[', query: '' });
    expect(splitRequestTarget('/validate#x?timeout=1s')).toEqual({ path: '/validate', query: '' });
  });
});
