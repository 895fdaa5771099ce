/**
 * A docker/distribution-style token endpoint, in-process, for notary-server's token auth: signs ES256 JWTs with
 * an `x5c` header that notary-server checks against its `rootcertbundle`. Counts the requests it answers so tests
 * can assert token reuse.
 *
 * The JWT is signed with node:crypto rather than `jose`: jose 6 is ESM-only and jest here runs CommonJS, and an
 * ES256 JWS is three base64url parts and one P-1363 signature.
 */
import { createPrivateKey, type KeyObject, randomUUID, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenEndpoint {
  readonly realm: string;
  readonly issuer: string;
  /** Requests answered, and how many of them carried Basic credentials. */
  readonly stats: { requests: number; withBasicAuth: number; scopes: string[] };
  close(): Promise<void>;
}

export interface TokenEndpointOptions {
  readonly keyFile: string;
  readonly certFile: string;
  readonly issuer: string;
  /** `expires_in` in the answer and the JWT lifetime. */
  readonly expiresInSeconds: number;
  /** When set, requests must carry these Basic credentials (else 401). */
  readonly basicAuth?: { username: string; password: string };
}

export async function startTokenEndpoint(options: TokenEndpointOptions): Promise<TokenEndpoint> {
  const key = createPrivateKey(await readFile(options.keyFile, 'utf8'));
  const certDerBase64 = (await readFile(options.certFile, 'utf8')).replace(/-----[^-]+-----|\s/g, '');
  const stats = { requests: 0, withBasicAuth: 0, scopes: [] as string[] };
  const expected = options.basicAuth
    ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`
    : undefined;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    stats.requests++;
    if (req.headers.authorization?.startsWith('Basic ')) stats.withBasicAuth++;
    if (expected && req.headers.authorization !== expected) {
      res.writeHead(401).end();
      return;
    }
    const service = url.searchParams.get('service') ?? '';
    const scopes = url.searchParams.getAll('scope').flatMap((scope) => scope.split(' ').filter(Boolean));
    stats.scopes.push(...scopes);
    const access = scopes.map((scope) => {
      const first = scope.indexOf(':');
      const last = scope.lastIndexOf(':');
      return {
        type: scope.slice(0, first),
        name: scope.slice(first + 1, last),
        actions: scope.slice(last + 1).split(','),
      };
    });
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = signEs256Jwt(
      key,
      { alg: 'ES256', typ: 'JWT', x5c: [certDerBase64] },
      {
        iss: options.issuer,
        sub: options.basicAuth?.username ?? 'anonymous',
        aud: service,
        iat: nowSeconds,
        nbf: nowSeconds - 5,
        exp: nowSeconds + options.expiresInSeconds,
        jti: randomUUID(),
        access,
      },
    );
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: options.expiresInSeconds }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    issuer: options.issuer,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function signEs256Jwt(key: KeyObject, header: object, claims: object): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}
