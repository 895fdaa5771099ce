/**
 * The updater: fetches one repository's trust data from a Notary v1 server in the order TUF requires and feeds
 * the raw bytes to the verification core (TrustedMetadata), which throws on anything it cannot trust.
 * The TOFU root and the highest versions seen live in the KeyValueStore, so rollback protection survives cold
 * starts and is shared by every Lambda instance.
 */
import { createHash } from 'node:crypto';
import type { KeyValueStore } from '../cache/types';
import { TrustError } from '../errors';
import { METRIC, type Observer, silentObserver } from '../observer';
import type { NotarySettings } from '../policy/types';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  getFollowingSameOriginRedirects,
  type HttpResponse,
  type HttpTransport,
} from '../registry/http';
import type { TokenAuthenticator } from '../registry/token-auth';
import { parseBearerChallenge } from '../registry/www-authenticate';
import { NOTARY_ORIGIN } from './origin';
import { TrustedMetadata } from './tuf/trusted-metadata';
import type { ExpectedFile, RoleVersions, VerifiedTrust } from './tuf/types';

/** timestamp.json is tiny and its length is recorded nowhere: a tighter cap than other files. */
export const MAX_TIMESTAMP_BYTES = 1024 * 1024;
/** The TOFU root and role versions must outlive any cache entry: they are the memory that stops rollbacks. */
export const TRUST_STATE_TTL_MS = 10 * 365 * 24 * 3600 * 1000;

export interface RepositoryClientDeps {
  readonly http: HttpTransport;
  readonly store: KeyValueStore;
  readonly tokens: TokenAuthenticator;
  readonly observer?: Observer;
  readonly requestTimeoutMs?: number;
}

export interface RepositoryRequest {
  /** Base URL of the Notary server. */
  readonly server: string;
  /** The repository's GUN: the normalized image name. */
  readonly gun: string;
  readonly pinnedRootKeys: readonly string[];
  readonly ca?: string;
  readonly credentials?: NotarySettings['auth'];
  /** The evaluation instant for every expiry check. */
  readonly nowMs: number;
  readonly signal?: AbortSignal;
  /** The remembered root and versions, when the caller already asked the store (see readTrustState). */
  readonly trustState?: Promise<TrustState>;
}

/** What the store remembers of a repository: the root trusted before and the highest versions seen. */
export interface TrustState {
  readonly trustedRoot: Uint8Array | undefined;
  readonly minVersions: RoleVersions | undefined;
}

/** Store keys of the per-repository trust state (exported for tests and operators). */
export const trustStateKeys = (server: string, gun: string) => ({
  root: `root#${serverBase(server)}#${gun}`,
  versions: `versions#${serverBase(server)}#${gun}`,
});

export class NotaryRepositoryClient {
  readonly #observer: Observer;
  readonly #timeoutMs: number;

  constructor(private readonly deps: RepositoryClientDeps) {
    this.#observer = deps.observer ?? silentObserver;
    this.#timeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Fetches and verifies the repository's trust data; throws TrustError with a stable code. */
  async loadTrust(request: RepositoryRequest): Promise<VerifiedTrust> {
    const keys = trustStateKeys(request.server, request.gun);
    const { trustedRoot, minVersions } = await (request.trustState ??
      this.readTrustState(request.server, request.gun, request.nowMs));
    const metadata = new TrustedMetadata({
      gun: request.gun,
      nowMs: request.nowMs,
      pinnedRootKeys: request.pinnedRootKeys,
      trustedRoot,
      minVersions,
    });

    // One wave for the whole chain. TUF orders the *verification* (root, timestamp, snapshot, targets, delegations),
    // not the downloads: root and timestamp are fetched with the plain names of snapshot, targets and the usual
    // delegation, all at once. A plain-named file is used only if its length and sha256 equal what its verified
    // parent records; a publish between the requests makes it differ, and then it is fetched again by checksum
    // name, as the notary client does. Either way the bytes verified are exactly the ones the parent names.
    const [root, timestamp, ...guessed] = await Promise.all([
      this.#fetchRole(request, 'root', {}, { maxBytes: DEFAULT_MAX_RESPONSE_BYTES, topLevel: true }),
      this.#fetchRole(request, 'timestamp', {}, { maxBytes: MAX_TIMESTAMP_BYTES, topLevel: true }),
      ...SPECULATIVE_ROLES.map((role) => this.#fetchSpeculatively(request, role)),
    ]);
    const guesses = new Map<string, Uint8Array | undefined>(
      SPECULATIVE_ROLES.map((role, index) => [role, guessed[index]]),
    );
    const fetchVerifiable = (role: string, expected: ExpectedFile): Promise<Uint8Array> => {
      const guess = guesses.get(role);
      return guess && matchesRecord(guess, expected)
        ? Promise.resolve(guess)
        : this.#fetchRole(request, role, expected);
    };

    metadata.updateRoot(root); // TUF 5.3: the root, against pinned keys or the root trusted before
    metadata.updateTimestamp(timestamp); // TUF 5.4: signatures, expiry, no rollback
    // TUF 5.5: snapshot, matching the timestamp's record (hash and length).
    metadata.updateSnapshot(await fetchVerifiable('snapshot', metadata.snapshotMeta()));
    // TUF 5.6: top-level targets, matching the snapshot's record.
    metadata.updateTargets(await fetchVerifiable('targets', metadata.targetsMeta()));

    // TUF 5.6.7: delegations, level by level (children appear once their parent is loaded); siblings concurrently.
    // Each role is fetched at most once, so a core that keeps listing a role cannot make this loop forever.
    const fetchedRoles = new Set<string>();
    for (;;) {
      const pending = metadata.delegationsToFetch().filter((role) => !fetchedRoles.has(role.role));
      if (pending.length === 0) break;
      for (const role of pending) fetchedRoles.add(role.role);
      const fetched = await Promise.all(pending.map((role) => fetchVerifiable(role.role, role)));
      pending.forEach((role, index) => {
        const bytes = fetched[index];
        if (bytes) metadata.updateDelegatedTargets(role.role, bytes);
      });
    }

    const trust = metadata.result();
    await this.#writeTrustState(keys, trust, request.nowMs);
    this.#observer.debug('notary trust data verified', {
      gun: request.gun,
      server: serverBase(request.server),
      versions: trust.versions,
      skippedRoles: trust.skippedRoles.map((skipped) => skipped.role),
    });
    return trust;
  }

  /**
   * Reads the remembered root and versions. The verifier calls it in the same tick as its trust cache lookup, so
   * that both go to DynamoDB in one BatchGetItem: a cold repository costs one round trip, not two.
   */
  async readTrustState(server: string, gun: string, nowMs: number): Promise<TrustState> {
    const keys = trustStateKeys(server, gun);
    try {
      const [root, versions] = await Promise.all([
        this.deps.store.get<string>(keys.root, nowMs),
        this.deps.store.get<RoleVersions>(keys.versions, nowMs),
      ]);
      return {
        trustedRoot: typeof root?.value === 'string' ? new Uint8Array(Buffer.from(root.value, 'base64')) : undefined,
        minVersions: versions?.value,
      };
    } catch (error) {
      // Fail closed: without the remembered root and versions, TOFU and rollback protection would be void.
      this.#observer.count(METRIC.cacheStoreErrors);
      throw new TrustError(
        'NOTARY_ERROR',
        'Cannot read the remembered root and versions from the cache store; refusing to verify without them.',
        { cause: error },
      );
    }
  }

  async #writeTrustState(keys: { root: string; versions: string }, trust: VerifiedTrust, nowMs: number) {
    const common = { storedAtMs: nowMs, expiresAtMs: nowMs + TRUST_STATE_TTL_MS };
    const writes = [
      this.deps.store.putIfNewer(keys.root, { ...common, value: trust.root, version: trust.rootVersion }),
      this.deps.store.putIfNewer(keys.versions, {
        ...common,
        value: trust.versions,
        version: trust.versions.timestamp ?? 0,
      }),
    ];
    for (const outcome of await Promise.allSettled(writes)) {
      if (outcome.status === 'rejected') {
        // The data verified; only the memory of it failed. Admission goes on, operators are told.
        this.#observer.count(METRIC.cacheStoreErrors);
        this.#observer.warn('could not remember Notary trust state', { error: String(outcome.reason) });
      }
    }
  }

  /** GET one role's metadata: by checksum name when known, authenticated when the server challenges. */
  async #fetchRole(
    request: RepositoryRequest,
    role: string,
    expected: ExpectedFile,
    options: { maxBytes?: number; topLevel?: boolean } = {},
  ): Promise<Uint8Array> {
    const maxBytes = expected.length ?? options.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const names = expected.sha256Hex ? [`${role}.${expected.sha256Hex}.json`, `${role}.json`] : [`${role}.json`];
    for (const [attempt, name] of names.entries()) {
      const path = `/v2/${encodeURI(request.gun)}/_trust/tuf/${encodeURI(name)}`;
      const response = await this.#get(request, path, maxBytes);
      if (response.status === 200) return response.body;
      // Some servers only serve the plain name: the hash is checked either way, so falling back is safe.
      if (response.status === 404 && attempt < names.length - 1) continue;
      if (response.status === 404 && options.topLevel) {
        throw new TrustError(
          'NOT_SIGNED',
          `${request.gun} has no trust data on ${serverBase(request.server)} (no ${role}.json): nothing in it is signed.`,
        );
      }
      this.#observer.count(METRIC.notaryErrors, 1, { name: 'status', value: String(response.status) });
      throw new TrustError(
        'NOTARY_ERROR',
        response.status === 404
          ? `Notary at ${serverBase(request.server)} lists ${role} for ${request.gun} but does not serve it.`
          : `Notary at ${serverBase(request.server)} answered ${response.status} for ${request.gun} ${role}.json.`,
      );
    }
    throw new TrustError('NOTARY_ERROR', `No name to fetch ${role} by.`); // unreachable: names is never empty
  }

  /**
   * A plain-named file fetched before its parent is verified: undefined when the server does not have it or the
   * request fails (the checksum-named fetch then decides, and reports). Never trusted by itself: see loadTrust.
   */
  async #fetchSpeculatively(request: RepositoryRequest, role: string): Promise<Uint8Array | undefined> {
    try {
      const path = `/v2/${encodeURI(request.gun)}/_trust/tuf/${encodeURI(role)}.json`;
      const response = await this.#get(request, path, DEFAULT_MAX_RESPONSE_BYTES);
      return response.status === 200 ? response.body : undefined;
    } catch {
      return undefined;
    }
  }

  /** One GET with token auth: sends a token up front when this server challenged before, else on a 401. */
  async #get(request: RepositoryRequest, path: string, maxBytes: number): Promise<HttpResponse> {
    const base = serverBase(request.server);
    const origin = new URL(base).origin;
    const tokenRequest = {
      origin: NOTARY_ORIGIN,
      repository: request.gun,
      credentials: request.credentials,
      signal: request.signal,
      ca: request.ca,
    };
    const known = this.deps.tokens.knownChallenge(origin);
    let authorization = known ? await this.deps.tokens.authorize(origin, known, tokenRequest) : undefined;
    let response = await this.#send(request, `${base}${path}`, maxBytes, authorization);
    if (response.status !== 401) return response;

    const challenge = parseBearerChallenge(response.headers['www-authenticate']);
    if (!challenge) {
      throw new TrustError('NOTARY_ERROR', `Notary at ${base} answered 401 without a Bearer challenge to follow.`);
    }
    // A refused cached token (revoked, clock skew) gets one fresh try, never a loop.
    const refused = authorization !== undefined;
    authorization = await this.deps.tokens.authorize(origin, challenge, { ...tokenRequest, fresh: refused });
    response = await this.#send(request, `${base}${path}`, maxBytes, authorization);
    if (response.status === 401 || response.status === 403) {
      throw new TrustError(
        'NOTARY_ERROR',
        `Notary at ${base} refused the pull token for ${request.gun} (${response.status}); check the rule's notary.auth.`,
      );
    }
    return response;
  }

  async #send(request: RepositoryRequest, url: string, maxBytes: number, authorization: string | undefined) {
    this.#observer.count(METRIC.notaryRequests);
    try {
      return await getFollowingSameOriginRedirects(this.deps.http, {
        url,
        origin: NOTARY_ORIGIN,
        maxBytes,
        timeoutMs: this.#timeoutMs,
        signal: request.signal,
        ca: request.ca,
        headers: authorization ? { authorization } : {},
      });
    } catch (error) {
      const code = error instanceof TrustError ? error.code : 'NOTARY_UNREACHABLE';
      this.#observer.count(METRIC.notaryErrors, 1, { name: 'code', value: code });
      throw error instanceof TrustError
        ? error
        : new TrustError('NOTARY_UNREACHABLE', `Notary request to ${url} failed.`, { cause: error });
    }
  }
}

/**
 * Fetched by plain name in the first wave: the top-level roles whose hash only their parent knows, and the
 * delegation notary and `docker trust` sign releases into. Other delegations are fetched once targets lists them.
 */
const SPECULATIVE_ROLES = ['snapshot', 'targets', 'targets/releases'] as const;

/** Whether bytes fetched by plain name are the file the verified parent records (length and sha256). */
function matchesRecord(bytes: Uint8Array, expected: ExpectedFile): boolean {
  if (expected.length !== undefined && bytes.length !== expected.length) return false;
  return expected.sha256Hex === undefined || createHash('sha256').update(bytes).digest('hex') === expected.sha256Hex;
}

/** The server URL without a trailing slash: `https://notary.example.com`. */
function serverBase(server: string): string {
  return server.replace(/\/+$/, '');
}
