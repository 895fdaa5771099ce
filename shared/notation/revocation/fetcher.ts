/**
 * The network edge of revocation checking: one OCSP or CRL GET, bounded in time and bytes. The checker talks
 * to the `RevocationFetcher` interface so tests (and the bench) can wrap the real one to count or break requests.
 * URLs must be `http:` (the Notary Project revocation spec, notation-core-go): OCSP responses and CRLs are signed,
 * and TLS to a CA's own revocation endpoint would need revocation checking of its own. Redirects are followed a few
 * hops, to http or https, since the answer is verified by signature whatever served it.
 */
import http from 'node:http';
import https from 'node:https';

/** Redirect hops followed (CDN-fronted CRL URLs redirect once). */
export const MAX_REVOCATION_REDIRECTS = 3;

export interface RevocationRequest {
  readonly url: string;
  readonly accept: string;
  readonly timeoutMs: number;
  /** The download fails as soon as the body grows past this. */
  readonly maxBytes: number;
  /** The admission's deadline. */
  readonly signal: AbortSignal;
}

/** Resolves with the body of a 2xx answer; rejects with an Error saying why otherwise (status, size, time). */
export interface RevocationFetcher {
  fetch(request: RevocationRequest): Promise<Uint8Array>;
}

export class NodeRevocationFetcher implements RevocationFetcher {
  readonly #httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  readonly #httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 8 });

  async fetch(request: RevocationRequest): Promise<Uint8Array> {
    if (new URL(request.url).protocol !== 'http:') throw new Error(`${request.url} is not an http: URL`);
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = AbortSignal.any([request.signal, timeout]);
    let url = request.url;
    for (let hop = 0; ; hop++) {
      const answer = await this.#once(url, request, signal, timeout);
      if ('body' in answer) return answer.body;
      if (hop >= MAX_REVOCATION_REDIRECTS)
        throw new Error(`${request.url} redirected more than ${MAX_REVOCATION_REDIRECTS} times`);
      url = answer.location;
    }
  }

  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  #once(
    target: string,
    request: RevocationRequest,
    signal: AbortSignal,
    timeout: AbortSignal,
  ): Promise<{ body: Uint8Array } | { location: string }> {
    const url = new URL(target);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(new Error(`${request.url} redirected to a non-HTTP URL`));
    }
    const client = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.#httpsAgent : this.#httpAgent;
    const where = `${url.origin}${url.pathname.length > 80 ? `${url.pathname.slice(0, 80)}…` : url.pathname}`;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        outcome();
      };
      const fail = (why: string, cause?: unknown) =>
        finish(() => {
          req.destroy();
          reject(new Error(`${where} ${why}`, { cause }));
        });
      const onAbort = () =>
        fail(timeout.aborted ? `did not answer within ${request.timeoutMs} ms` : 'was abandoned: the deadline passed');
      const req = client.get(url, { agent, headers: { accept: request.accept } }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          const location = new URL(res.headers.location, url).toString();
          finish(() => resolve({ location }));
          return;
        }
        if (status < 200 || status >= 300) {
          res.resume();
          fail(`answered HTTP ${status}`);
          return;
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > request.maxBytes) {
          fail(`announced ${declared} bytes, more than the ${request.maxBytes} allowed`);
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          // Counted while streaming: an endless body is cut off, never buffered whole.
          if (received > request.maxBytes) fail(`sent more than the ${request.maxBytes} bytes allowed`);
          else chunks.push(chunk);
        });
        res.on('error', (error) => fail('failed while sending its answer', error));
        res.on('close', () => {
          if (!res.complete) fail('closed the connection before the answer was complete');
        });
        res.on('end', () => finish(() => resolve({ body: new Uint8Array(Buffer.concat(chunks)) })));
      });
      req.on('error', (error) => fail(`could not be reached (${error.message})`, error));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
