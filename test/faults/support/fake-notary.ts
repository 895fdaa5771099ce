/**
 * Notary servers (and token endpoints) that fail, over HTTPS on 127.0.0.1, for the webhook's fault tests. Built
 * on the harness's fake server; the certificate is the throwaway one `serve --self-signed` makes, trusted through
 * the policy's `caFile` as a real private Notary's CA would be.
 */
import type http from 'node:http';
import { generateSelfSignedCertificate } from '../../../functions/self-signed';
import { endlessBody, type FakeServer, startFakeServer } from '../../harness/fake-server';
import { freePort } from '../../harness/processes';

export interface Tls {
  readonly cert: string;
  readonly key: string;
}

export function loopbackTls(): Promise<Tls> {
  return generateSelfSignedCertificate(['127.0.0.1']);
}

/** A running fake, with what it saw: requests, and connections the client closed before any answer. */
export interface Fake extends FakeServer {
  /** Requests whose connection closed while the server was still silent (the client gave up). */
  abandoned(): number;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export async function startFake(handler: Handler, tls?: Tls): Promise<Fake> {
  let abandoned = 0;
  const server = await startFakeServer(
    (req, res) => {
      res.on('close', () => {
        if (!res.headersSent) abandoned++;
      });
      handler(req, res);
    },
    tls ? { tls } : {},
  );
  return { ...server, abandoned: () => abandoned };
}

/** The behaviours of a failing server. */
export const misbehave = {
  /** Accepts the request, never answers. */
  silent: (): Handler => () => {},
  status:
    (status: number): Handler =>
    (_req, res) =>
      res.writeHead(status).end('internal error'),
  /** 200 with bytes that are neither JSON nor TUF. */
  garbage: (): Handler => (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.from([0x00, 0xff, 0x7b, 0x22, 0xfe, 0x0a])),
  endless: (): Handler => (_req, res) => endlessBody(res),
  /** 200, then a byte every 100 ms, never ending: slow enough for any timeout, yet never silent. */
  trickle: (): Handler => (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => res.write(' '), 100);
    res.on('close', () => clearInterval(timer));
  },
  /** Every request needs a token from `realm` (notary-server's answer under token auth). */
  challenge:
    (realm: string): Handler =>
    (_req, res) =>
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="${realm}",service="notary-server",scope="repository:registry.example.com/team/app:pull"`,
        })
        .end(),
};

/** `https://127.0.0.1:<port>` where nothing listens: a Notary server that is down. */
export async function downUrl(): Promise<string> {
  return `https://127.0.0.1:${await freePort()}`;
}

/** Polls (bounded, no timing assertion) until `done` holds; false when it never did. */
export async function eventually(done: () => boolean, attempts = 200): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return done();
}
