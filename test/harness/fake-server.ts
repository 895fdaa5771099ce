/**
 * Misbehaving HTTP servers on 127.0.0.1 (port chosen by the OS) for failure tests: each request is answered by
 * the handler given, and the server counts requests and remembers their headers. With `tls` it speaks HTTPS, as
 * a policy's `notary.server` must.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { freePort } from './processes';

export interface FakeServer {
  readonly url: string;
  readonly requests: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startFakeServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  options: { tls?: { cert: string; key: string } } = {},
): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const listener: http.RequestListener = (req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    handler(req, res);
  };
  const server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes chunks until the client goes away (never ends on its own). */
export function endlessBody(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x7b);
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) {}
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

/** A URL on 127.0.0.1 where nothing listens (a server that is down). */
export async function freePortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}
