/**
 * The HTTP edge of every registry-like origin (Notary v1 servers, OCI registries, their token realms): one request,
 * bounded in time and size, over node:https (or node:http for loopback test servers). Everything above it talks to
 * the `HttpTransport` interface, so tests can wrap the real transport to inject faults (flipped bytes, counted
 * requests) without mocking modules. Errors carry the codes of the origin the caller names (`OriginLabel`).
 */
import http from 'node:http';
import https from 'node:https';
import type { SecureContext } from 'node:tls';
import { BoundedMap } from '../cache/bounded-map';
import { TrustError } from '../errors';
import { CA_ALONE_UNVERIFIED, CaOnlyAgent } from './ca-only-agent';
import type { OriginLabel } from './origin';
import {
  CA_CONTEXT_BUILDS_ROOT_STORE,
  isUntrustedIssuer,
  secureContextWithCaAlone,
  secureContextWithExtraCa,
} from './secure-context';

/** A sane ceiling for any metadata file whose length is not recorded by a parent role (5 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
/** Per-request timeout when the caller gives none. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 3_000;
/** Same-origin redirects followed before giving up (Notary servers and registries rarely redirect more than once). */
export const MAX_REDIRECTS = 3;
/**
 * Servers remembered as not verifying against their CA alone (each key holds the CA's PEM, about 1-2 KB). A policy
 * names a handful of servers with a `caFile`, but token realms come from the servers' own 401s, so without a bound
 * a server naming a new realm each time would grow this without end. Forgetting one costs one more CA-alone
 * handshake before the roots are used again; 1000 covers any real policy's servers and realms many times.
 */
export const MAX_SERVERS_NEEDING_ROOTS = 1000;

export interface HttpRequest {
  readonly url: string;
  /** Who answers: its codes label every error of this request. */
  readonly origin: OriginLabel;
  /** `GET` when absent. HEAD responses have no body, whatever their Content-Length says. */
  readonly method?: 'GET' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  /** The body is refused (the origin's error code) as soon as it grows past this many bytes. */
  readonly maxBytes: number;
  /** Covers connect, TLS, headers and body. */
  readonly timeoutMs: number;
  /** The admission's deadline: aborting it stops the request. */
  readonly signal?: AbortSignal;
  /** Extra CA certificates (PEM) trusted besides the default roots. */
  readonly ca?: string;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

/**
 * One request, one hop (no redirects). Network failures reject with TrustError of the origin's unreachable code,
 * an oversized body with its error code; any HTTP status resolves.
 */
export interface HttpTransport {
  request(request: HttpRequest): Promise<HttpResponse>;
}

export interface NodeHttpTransportOptions {
  /**
   * The context for a server verified against the default roots and an extra CA, when it does not verify against
   * the CA alone (./secure-context.ts). Tests give a context whose "default roots" are a CA of their own.
   */
  readonly rootsAndCa?: (ca: string) => SecureContext;
  /**
   * How a server is verified against an extra CA alone: by OpenSSL with a context that trusts only the CA, or by
   * the rules of ./ca-only-verification.ts after a handshake without one (where such a context would build the
   * default root store: CA_CONTEXT_BUILDS_ROOT_STORE, Node.js 20). Tests run both.
   */
  readonly caAlone?: 'openssl' | 'rules';
  /** MAX_SERVERS_NEEDING_ROOTS unless a test gives a smaller bound. */
  readonly maxServersNeedingRoots?: number;
}

/**
 * The real transport: node's http/https with keep-alive agents. A request with an extra CA goes through an agent
 * that verifies the server against that CA alone: OpenSSL with a context that trusts only the CA, or on Node.js 20
 * the rules of ./ca-only-agent.ts (`caAlone`). A server whose chain does not lead to the CA is asked again, once,
 * through one whose TLS context trusts the default roots and the CA, which OpenSSL verifies as before, and its
 * origin goes there from then on. Why: the default roots cost about 50 ms to load (./secure-context.ts), which a
 * server of the CA's never needs.
 */
export class NodeHttpTransport implements HttpTransport {
  readonly #httpsAgents = new Map<string, https.Agent>();
  readonly #httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  readonly #rootsAndCa: (ca: string) => SecureContext;
  readonly #caAlone: 'openssl' | 'rules';
  /** `ca` + origin of the servers that did not verify against their CA alone. */
  readonly #needRoots: BoundedMap<string, true>;

  constructor(options: NodeHttpTransportOptions = {}) {
    this.#needRoots = new BoundedMap(options.maxServersNeedingRoots ?? MAX_SERVERS_NEEDING_ROOTS);
    this.#rootsAndCa = options.rootsAndCa ?? secureContextWithExtraCa;
    this.#caAlone = options.caAlone ?? (CA_CONTEXT_BUILDS_ROOT_STORE ? 'rules' : 'openssl');
  }

  request(request: HttpRequest): Promise<HttpResponse> {
    const { origin, ca } = request;
    const url = new URL(request.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return Promise.reject(new TrustError(origin.errorCode, `${origin.name} URL ${url.origin} must be http(s).`));
    }
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    if (url.protocol === 'http:') return this.#send(request, url, this.#httpAgent, signal, timeout);
    if (ca === undefined) return this.#send(request, url, this.#httpsAgent('roots', ''), signal, timeout);
    const server = `${url.origin}\0${ca}`;
    const withRoots = () => this.#send(request, url, this.#httpsAgent('roots+ca', ca), signal, timeout);
    if (this.#needRoots.touch(server)) return withRoots();
    return this.#send(request, url, this.#httpsAgent('ca', ca), signal, timeout).catch((error: unknown) => {
      // Not verified against the CA alone: verified (or refused) as the roots and the CA together decide. Nothing
      // was sent yet but the TLS handshake, so asking again is safe; the deadline and timeout still run.
      if (signal.aborted || !(error instanceof TrustError) || !this.#unverifiedByCaAlone(error.cause)) throw error;
      this.#needRoots.set(server, true);
      return withRoots();
    });
  }

  #send(
    request: HttpRequest,
    url: URL,
    agent: http.Agent,
    signal: AbortSignal,
    timeout: AbortSignal,
  ): Promise<HttpResponse> {
    const { origin } = request;
    const client = url.protocol === 'https:' ? https : http;
    const where = `${url.origin}${url.pathname}`;

    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const settle = () => {
        settled = true;
        signal.removeEventListener('abort', onAbort);
      };
      const fail = (error: TrustError) => {
        if (settled) return;
        settle();
        req.destroy();
        reject(error);
      };
      const onAbort = () => {
        const why = timeout.aborted ? `did not answer within ${request.timeoutMs} ms` : 'was aborted (deadline passed)';
        fail(
          new TrustError(origin.unreachableCode, `${origin.name} request to ${where} ${why}.`, {
            cause: signal.reason,
          }),
        );
      };
      const method = request.method ?? 'GET';
      const headers = { accept: 'application/json', ...request.headers };
      const req = client.request(url, { method, agent, headers }, (res) => {
        const declared = Number(res.headers['content-length']);
        if (method === 'GET' && Number.isFinite(declared) && declared > request.maxBytes) {
          fail(tooLarge(origin, where, request.maxBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          // Stream and count: an endless or oversized body is cut off here, never buffered whole.
          if (received > request.maxBytes) fail(tooLarge(origin, where, request.maxBytes));
          else chunks.push(chunk);
        });
        res.on('error', (error) => fail(unreachable(origin, where, error)));
        // A connection closed mid-body ends without 'end': a truncated file must not pass as a whole one.
        res.on('close', () => {
          if (!res.complete) {
            fail(unreachable(origin, where, new Error('connection closed before the response was complete')));
          }
        });
        res.on('end', () => {
          if (settled) return;
          settle();
          resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), body: Buffer.concat(chunks) });
        });
      });
      req.on('error', (error) => fail(unreachable(origin, where, error)));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      req.end();
    });
  }

  /** Closes idle keep-alive sockets (tests, CLI exit). */
  close(): void {
    this.#httpAgent.destroy();
    for (const agent of this.#httpsAgents.values()) agent.destroy();
    this.#httpsAgents.clear();
  }

  /**
   * One keep-alive agent per trust: the default roots, an extra CA alone, the roots and an extra CA. Each TLS
   * context is built once here: given `ca` per request instead, node builds it again for every new connection.
   */
  #httpsAgent(trust: 'roots' | 'ca' | 'roots+ca', ca: string): https.Agent {
    const key = `${trust}\0${ca}`;
    let agent = this.#httpsAgents.get(key);
    if (!agent) {
      const options = { keepAlive: true, maxSockets: 16 };
      if (trust === 'ca' && this.#caAlone === 'openssl') {
        agent = new https.Agent({ ...options, secureContext: secureContextWithCaAlone(ca) });
      } else if (trust === 'ca') agent = new CaOnlyAgent(ca, options);
      else if (trust === 'roots+ca') agent = new https.Agent({ ...options, secureContext: this.#rootsAndCa(ca) });
      else agent = new https.Agent(options);
      this.#httpsAgents.set(key, agent);
    }
    return agent;
  }

  /** Whether a connection through the CA-alone agent failed only because the server is not the CA's. */
  #unverifiedByCaAlone(error: unknown): boolean {
    if (this.#caAlone === 'openssl') return isUntrustedIssuer(error);
    return (error as { code?: unknown } | undefined)?.code === CA_ALONE_UNVERIFIED;
  }
}

/**
 * GET with same-origin redirects only: a redirect to another host could hand the request (and its bearer token)
 * to someone else, so it is refused.
 */
export async function getFollowingSameOriginRedirects(
  transport: HttpTransport,
  request: HttpRequest,
): Promise<HttpResponse> {
  let current = request;
  for (let hop = 0; ; hop++) {
    const response = await transport.request(current);
    if (!isRedirect(response.status)) return response;
    const { name, errorCode } = request.origin;
    const location = response.headers.location;
    if (!location) throw new TrustError(errorCode, `${name} answered ${response.status} without a Location.`);
    const from = new URL(current.url);
    const to = new URL(location, from);
    if (to.origin !== from.origin) {
      throw new TrustError(
        errorCode,
        `${name} at ${from.origin} redirected to another origin (${to.origin}); redirects are only followed within one server.`,
      );
    }
    if (hop >= MAX_REDIRECTS) throw new TrustError(errorCode, `${name} at ${from.origin} redirected too often.`);
    current = { ...current, url: to.href };
  }
}

/** A status that sends the client elsewhere (304 Not Modified does not). */
export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400 && status !== 304;
}

function tooLarge(origin: OriginLabel, where: string, maxBytes: number): TrustError {
  return new TrustError(
    origin.errorCode,
    `${origin.name} response from ${where} is larger than ${maxBytes} bytes; refused.`,
  );
}

function unreachable(origin: OriginLabel, where: string, error: Error): TrustError {
  const code = (error as NodeJS.ErrnoException).code;
  const detail = code ? `${code}: ${error.message}` : error.message;
  return new TrustError(origin.unreachableCode, `Cannot reach ${origin.name} at ${where} (${detail}).`, {
    cause: error,
  });
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
