/**
 * An https agent for servers named with an extra CA that hands a connection to a request only after the server's
 * certificate verified against that CA (./ca-only-verification.ts), without a TLS context that holds any CA (which
 * on Node.js 20 would load the default roots: ./secure-context.ts). The handshake runs with an empty trust store,
 * so OpenSSL's own verification always fails and is not what decides; the request gets the socket only once the
 * rules accepted it, so nothing (no header, no token) is written to a server that did not verify. A server the
 * rules do not accept fails the request with CA_ALONE_UNVERIFIED, on which the transport connects again with full
 * OpenSSL verification against the default roots and the CA (shared/registry/http.ts).
 */
import { X509Certificate } from 'node:crypto';
import type { ClientRequest, RequestOptions } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { type ConnectionOptions, connect, createSecureContext, type TLSSocket } from 'node:tls';

/**
 * The rules and the certificate parser they use, loaded with the first such connection (not at the Lambda's init:
 * most policies name no `caFile`); the TLS handshake runs meanwhile.
 */
let verification: Promise<typeof import('./ca-only-verification')> | undefined;

/** The error code of a server these rules did not accept (not a refusal: full verification decides next). */
export const CA_ALONE_UNVERIFIED = 'CA_ALONE_UNVERIFIED';

/**
 * A TLS handshake that has not finished after this long is given up: a request's own timeout bounds its wait,
 * but the connection is the agent's until it is handed over. Ten seconds is the longest admission deadline the
 * apiserver gives a webhook (and longer than any request timeout of the callers). Counted from the connect, not
 * from the last byte: a server that trickles its handshake a byte at a time must not hold a socket for good.
 */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export class CaOnlyAgent extends https.Agent {
  /** Each certificate of the `caFile` (a file may hold several); none when it does not parse (then OpenSSL decides). */
  readonly #caDers: readonly Uint8Array[];
  /** No CA at all (`ca: []`): node then builds no root store either. */
  readonly #context = createSecureContext({ ca: [] });
  readonly #pending = new Set<TLSSocket>();
  /** Requests holding or waiting for a socket of this agent, per server; and those waiting for their turn. */
  readonly #active = new Map<string, number>();
  readonly #parked = new Map<string, (() => void)[]>();

  readonly #handshakeTimeoutMs: number;

  /** `handshakeTimeoutMs`: TLS_HANDSHAKE_TIMEOUT_MS unless a test gives a shorter one. */
  constructor(ca: string, options: https.AgentOptions, handshakeTimeoutMs = TLS_HANDSHAKE_TIMEOUT_MS) {
    super(options);
    this.#caDers = certificatesOf(ca);
    this.#handshakeTimeoutMs = handshakeTimeoutMs;
  }

  /** Node calls it with a callback and takes the socket given to the callback later (none returned now). */
  override createConnection(
    options: RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    if (!callback) throw new Error("CaOnlyAgent connects only for node's http client (with a callback)");
    const connectOptions = options as ConnectionOptions & { host?: string };
    const host = connectOptions.servername || connectOptions.host || 'localhost';
    const socket = connect({ ...connectOptions, secureContext: this.#context, rejectUnauthorized: false });
    this.#pending.add(socket);
    let done = false;
    const finish = (error: Error | null) => {
      if (done) return;
      done = true;
      this.#pending.delete(socket);
      clearTimeout(handshakeTimer);
      if (error) {
        socket.destroy();
        callback(error, socket);
      } else {
        callback(null, socket);
      }
    };
    // An absolute timer, not socket.setTimeout (an idle timeout, which every trickled byte restarts).
    const handshakeTimer = setTimeout(
      () => finish(new Error(`TLS handshake with ${host} did not finish within ${this.#handshakeTimeoutMs} ms`)),
      this.#handshakeTimeoutMs,
    );
    socket.once('error', (error) => finish(error));
    verification ??= import('./ca-only-verification');
    const rules = verification;
    socket.once('secureConnect', () => {
      const leaf = socket.getPeerX509Certificate();
      rules.then(
        ({ verifiedByCaAlone }) => {
          const now = Date.now();
          if (leaf !== undefined && this.#caDers.some((ca) => verifiedByCaAlone(leaf.raw, ca, host, now))) finish(null);
          else
            finish(
              Object.assign(new Error(`the certificate of ${host} does not verify against the CA alone`), {
                code: CA_ALONE_UNVERIFIED,
              }),
            );
        },
        (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
      );
    });
    return undefined;
  }

  /**
   * Node's agent counts a socket against `maxSockets` only once it has it, and this agent hands sockets over only
   * after verifying them: so that parallel requests to one server still share at most `maxSockets` connections,
   * as with a plain https agent, requests beyond that many in progress wait here, and go to the agent (which then
   * reuses a free socket) as earlier ones finish.
   */
  addRequest(request: ClientRequest, options: RequestOptions): void {
    const server = `${options.host}:${options.port}`;
    const dispatch = () => {
      if (request.destroyed) return next();
      this.#active.set(server, (this.#active.get(server) ?? 0) + 1);
      request.once('close', () => {
        this.#active.set(server, (this.#active.get(server) ?? 1) - 1);
        // After the agent took the socket back as free, so that the next request reuses it.
        setImmediate(next);
      });
      (
        https.Agent.prototype as unknown as { addRequest: (r: ClientRequest, o: RequestOptions) => void }
      ).addRequest.call(this, request, options);
    };
    const next = () => {
      if ((this.#active.get(server) ?? 0) >= this.maxSockets) return;
      const parked = this.#parked.get(server);
      const waiting = parked?.shift();
      if (parked?.length === 0) this.#parked.delete(server);
      waiting?.();
    };
    if ((this.#active.get(server) ?? 0) < this.maxSockets) dispatch();
    else {
      const parked = this.#parked.get(server) ?? [];
      parked.push(dispatch);
      this.#parked.set(server, parked);
    }
  }

  override destroy(): void {
    this.#parked.clear();
    for (const socket of this.#pending) socket.destroy();
    this.#pending.clear();
    super.destroy();
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** The DER of each PEM certificate in the text; none at all when any of them does not parse. */
function certificatesOf(pem: string): Uint8Array[] {
  try {
    return (pem.match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block).raw);
  } catch {
    return [];
  }
}
