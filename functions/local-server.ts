import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { HttpResponse } from './http';
import { MAX_BODY_BYTES } from './middleware/body';
import { localLambdaContext, toFunctionUrlEvent } from './url-event';

/**
 * How long the rest of an oversized body is read and thrown away after the 413, before the connection is cut
 * (nginx's lingering_timeout default). Closing a socket with unread bytes sends a TCP reset, and a client that is
 * still uploading then loses the 413 it was sent (it sees ECONNRESET); draining lets it finish and read the answer,
 * and this bound keeps a client that never stops sending from holding the connection.
 */
export const OVERSIZED_BODY_DRAIN_MS = 5_000;

export type UrlHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResponse>;

export interface LocalServerOptions {
  readonly handler: UrlHandler;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly tls?: { cert: string; key: string };
  /** The emulated Lambda timeout of each request. */
  readonly functionTimeoutMs?: number;
  /** Bytes read from a body at most; one more than the handler's limit, so it answers 413 itself. */
  readonly maxBodyBytes?: number;
}

export interface LocalServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * `serve`: a local HTTP(S) server in front of the webhook handler. Each request becomes a function URL event
 * and the handler's answer is written back, so the local webhook behaves as the Lambda does.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const readLimit = (options.maxBodyBytes ?? MAX_BODY_BYTES) + 1;
  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    req.on('data', (chunk: Buffer) => {
      // Past the limit the rest is read and dropped (see OVERSIZED_BODY_DRAIN_MS), never buffered.
      if (truncated) return;
      chunks.push(chunk);
      size += chunk.length;
      // Stop buffering past the limit: the handler only needs to see that the body is too large.
      if (size >= readLimit) {
        truncated = true;
        respond();
        const cut = setTimeout(() => req.destroy(), OVERSIZED_BODY_DRAIN_MS);
        cut.unref();
        req.once('end', () => clearTimeout(cut));
        req.once('close', () => clearTimeout(cut));
      }
    });
    req.on('end', () => {
      if (!truncated) respond();
    });
    const respond = () => {
      const event = toFunctionUrlEvent({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        body: Buffer.concat(chunks).subarray(0, readLimit),
      });
      options
        .handler(event, localLambdaContext(options.functionTimeoutMs ?? 30_000))
        .then((result) => {
          const body = result.body ?? '';
          res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string> | undefined);
          res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
        })
        .catch(() => {
          // Unreachable by design: the error handler answers every failure, and its last resort (answerUnrecorded)
          // builds the answer from pure parts. Only a crash of that code itself gets here, when no answer can be
          // built; then a 500 is the truth (the Lambda's function URL answers 502 for the same crash).
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'INTERNAL_ERROR', reason: 'internal error' }));
        });
    };
  };
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
