/**
 * Docker registry token auth, as OCI registries and Notary servers (Docker Hub's included) use it: after a `401`
 * with a Bearer challenge, ask the realm for a pull token for one repository (`repository:<name>:pull`) and send it
 * as `Authorization: Bearer`.
 * Tokens are cached in memory and in the shared KeyValueStore, so that other Lambda instances reuse them.
 * Tokens and credentials are never logged.
 */
import { createHash } from 'node:crypto';
import { SingleFlight } from '../cache/single-flight';
import type { KeyValueStore } from '../cache/types';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import { TrustError } from '../errors';
import { formatDimension, METRIC, type Observer, silentObserver } from '../observer';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  getFollowingSameOriginRedirects,
  type HttpResponse,
  type HttpTransport,
} from './http';
import { isLoopbackHost } from './loopback';
import type { OriginLabel } from './origin';
import type { BearerChallenge } from './www-authenticate';

/** Used when the token endpoint gives no `expires_in` (the docker token spec's default). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 60;
/** A token is dropped this long before it expires, so it is not sent just as it runs out. */
export const TOKEN_EXPIRY_MARGIN_MS = 10_000;
/** A token response is a small JSON document. */
export const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** Basic credentials for a token realm (or a registry's Basic auth). */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

export interface TokenRequest {
  /** The origin the token is for: its codes label every error. */
  readonly origin: OriginLabel;
  /** The repository as the origin names it (a Notary GUN, a registry path): the scope is `repository:<it>:pull`. */
  readonly repository: string;
  readonly credentials: BasicCredentials | undefined;
  readonly signal?: AbortSignal;
  /** Extra CA for the realm's TLS (the realm often shares the origin's CA). */
  readonly ca?: string;
  /** Skip cached tokens (the server refused the cached one). */
  readonly fresh?: boolean;
  /**
   * When set, credentials go only to a realm on one of these hosts (lower case); any other realm a 401 names is
   * refused before anything is sent. Absent: any https realm (the registry client's behaviour).
   */
  readonly credentialRealmHosts?: readonly string[];
}

export interface TokenAuthenticatorDeps {
  readonly http: HttpTransport;
  readonly store: KeyValueStore;
  readonly observer?: Observer;
  /** Real time for token lifetimes (never the evaluation instant: an audit `--at` does not age tokens). */
  readonly clock?: Clock;
  readonly requestTimeoutMs?: number;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAtMs: number;
}

export class TokenAuthenticator {
  readonly #memory = new Map<string, CachedToken>();
  /**
   * The cache read and the fetch of one key, shared by concurrent requests. The fetch runs with the flight's own
   * signal, bounded by the request timeout per hop (and MAX_REDIRECTS hops), never with the first caller's: each
   * caller stops waiting at its own deadline while the others keep the fetch alive.
   */
  readonly #flights = new SingleFlight<string, string>();
  /** The last Bearer challenge per server origin: later requests send a token up front, saving a 401 round trip. */
  readonly #challenges = new Map<string, BearerChallenge>();
  readonly #observer: Observer;
  readonly #clock: Clock;
  readonly #timeoutMs: number;

  constructor(private readonly deps: TokenAuthenticatorDeps) {
    this.#observer = deps.observer ?? silentObserver;
    this.#clock = deps.clock ?? systemClock;
    this.#timeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** The challenge seen last from this server, if any. */
  knownChallenge(serverOrigin: string): BearerChallenge | undefined {
    return this.#challenges.get(serverOrigin);
  }

  /** The `Authorization` header value for the challenge: a cached token or a new one. */
  async authorize(serverOrigin: string, challenge: BearerChallenge, request: TokenRequest): Promise<string> {
    this.#challenges.set(serverOrigin, challenge);
    const realm = parseRealm(challenge.realm, request.origin);
    const scope = `repository:${request.repository}:pull`;
    // Tokens obtained with credentials are kept apart from anonymous ones and from other users' tokens.
    const who = request.credentials ? `#${sha256Hex(request.credentials.username).slice(0, 16)}` : '';
    const key = `token#${realm.href}#${challenge.service ?? ''}#${scope}${who}`;
    // The cache read and the fetch are one flight: requests that arrive together (the first wave of a repository
    // is five) share them, even when the store answers the first caller before the others resume.
    const flightKey = request.fresh ? `${key}#fresh` : key;
    const fetchShared = async (signal: AbortSignal) => {
      const cached = request.fresh ? undefined : await this.#cached(key);
      return cached ?? (await this.#fetchToken(key, realm, challenge.service, scope, { ...request, signal }));
    };
    try {
      return `Bearer ${await this.#flights.run(flightKey, fetchShared, request.signal)}`;
    } catch (error) {
      // This caller's deadline passed while it waited on the shared fetch (the wait rejects with the signal's
      // reason): the token endpoint did not answer in time, an outage of the origin like a timed-out request.
      if (!(error instanceof TrustError) && request.signal?.aborted) {
        throw new TrustError(
          request.origin.unreachableCode,
          `The deadline passed before token endpoint ${realm.origin} answered for ${request.repository}.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async #cached(key: string): Promise<string | undefined> {
    const nowMs = this.#clock();
    const inMemory = this.#memory.get(key);
    if (inMemory && inMemory.expiresAtMs > nowMs) return inMemory.token;
    try {
      const stored = await this.deps.store.get<{ token: string }>(key, nowMs);
      if (stored && stored.expiresAtMs > nowMs && typeof stored.value?.token === 'string') {
        this.#memory.set(key, { token: stored.value.token, expiresAtMs: stored.expiresAtMs });
        return stored.value.token;
      }
    } catch (error) {
      // The shared store is an optimisation here: without it we simply ask the realm.
      this.#observer.count(METRIC.cacheStoreErrors);
      this.#observer.warn('token cache read failed', { error: (error as Error).message });
    }
    return undefined;
  }

  async #fetchToken(
    key: string,
    realm: URL,
    service: string | undefined,
    scope: string,
    request: TokenRequest,
  ): Promise<string> {
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const { origin } = request;
    const headers: Record<string, string> = {};
    if (request.credentials) {
      if (realm.protocol !== 'https:' && !isLoopbackHost(realm.hostname)) {
        throw new TrustError(
          origin.errorCode,
          `Token realm ${realm.origin} is not https; refusing to send the credentials of ${origin.credentialsSetting} over plain HTTP.`,
        );
      }
      const hosts = request.credentialRealmHosts;
      if (hosts && !hosts.includes(realm.hostname.toLowerCase())) {
        throw new TrustError(
          origin.errorCode,
          `Token realm ${realm.origin} is not on ${hosts.join(' or ')}; refusing to send the credentials of ` +
            `${origin.credentialsSetting} to another host (list it in the rule's notary.tokenRealmHosts to allow it).`,
        );
      }
      const { username, password } = request.credentials;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    this.#observer.count(METRIC.tokenRequests, 1, formatDimension(origin.format));
    let response: HttpResponse;
    try {
      response = await getFollowingSameOriginRedirects(this.deps.http, {
        url: url.href,
        origin,
        headers,
        maxBytes: MAX_TOKEN_RESPONSE_BYTES,
        timeoutMs: this.#timeoutMs,
        signal: request.signal,
        ca: request.ca,
      });
    } catch (error) {
      // A failing token endpoint is an outage of its origin to operators: counted like a failing origin request.
      this.#observer.count(
        METRIC.originErrors,
        1,
        { name: 'code', value: error instanceof TrustError ? error.code : origin.unreachableCode },
        formatDimension(origin.format),
      );
      throw error;
    }
    if (response.status !== 200) {
      this.#observer.count(
        METRIC.originErrors,
        1,
        { name: 'status', value: String(response.status) },
        formatDimension(origin.format),
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new TrustError(
        origin.errorCode,
        `Token endpoint ${realm.origin} refused a pull token for ${request.repository} (${response.status}); check the credentials of ${origin.credentialsSetting}.`,
      );
    }
    if (response.status !== 200) {
      throw new TrustError(origin.errorCode, `Token endpoint ${realm.origin} answered ${response.status}.`);
    }
    let parsed: { token: string; lifetimeMs: number };
    try {
      parsed = parseTokenResponse(response.body, realm.origin, origin);
    } catch (error) {
      this.#observer.count(
        METRIC.originErrors,
        1,
        { name: 'code', value: origin.errorCode },
        formatDimension(origin.format),
      );
      throw error;
    }
    const { token, lifetimeMs } = parsed;
    const expiresAtMs = this.#clock() + Math.max(0, lifetimeMs - Math.min(TOKEN_EXPIRY_MARGIN_MS, lifetimeMs / 2));
    this.#memory.set(key, { token, expiresAtMs });
    try {
      await this.deps.store.put(key, { value: { token }, expiresAtMs, storedAtMs: this.#clock() });
    } catch (error) {
      this.#observer.count(METRIC.cacheStoreErrors);
      this.#observer.warn('token cache write failed', { error: (error as Error).message });
    }
    return token;
  }
}

function parseRealm(realm: string, origin: OriginLabel): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch (error) {
    throw new TrustError(origin.errorCode, `${origin.name} sent a token realm that is not a URL.`, { cause: error });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TrustError(
      origin.errorCode,
      `${origin.name} sent a token realm with protocol ${url.protocol}; only http(s) is used.`,
    );
  }
  return url;
}

function parseTokenResponse(
  body: Uint8Array,
  realmOrigin: string,
  origin: OriginLabel,
): { token: string; lifetimeMs: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (error) {
    throw new TrustError(origin.errorCode, `Token endpoint ${realmOrigin} answered with something that is not JSON.`, {
      cause: error,
    });
  }
  const fields = (parsed ?? {}) as { token?: unknown; access_token?: unknown; expires_in?: unknown };
  const token = typeof fields.token === 'string' && fields.token ? fields.token : fields.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new TrustError(origin.errorCode, `Token endpoint ${realmOrigin} answered without a token.`);
  }
  const seconds =
    typeof fields.expires_in === 'number' && fields.expires_in > 0 ? fields.expires_in : DEFAULT_TOKEN_LIFETIME_SECONDS;
  return { token, lifetimeMs: seconds * 1000 };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
