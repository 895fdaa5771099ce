/**
 * The updater: fetches one repository's trust data from a Notary v1 server in the order TUF requires and feeds
 * the raw bytes to the verification core (TrustedMetadata), which throws on anything it cannot trust.
 * The TOFU root and the highest versions seen live in the TrustStateStore (trust-state.ts), so rollback
 * protection survives cold starts and is shared by every Lambda instance.
 */
import { createHash } from 'node:crypto';
import { TrustError } from '../errors';
import { formatDimension, METRIC, type Observer, silentObserver } from '../observer';
import type { NotarySettings } from '../policy/types';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  getFollowingSameOriginRedirects,
  type HttpResponse,
  type HttpTransport,
} from '../registry/http';
import type { TokenAuthenticator } from '../registry/token-auth';
import { parseBearerChallenge } from '../registry/www-authenticate';
import { withoutTrailingSlashes } from '../url';
import { maxBytesFor, RepositoryBudget } from './download-bounds';
import { NOTARY_ORIGIN } from './origin';
import { type TrustIdentity, trustIdentity } from './trust-identity';
import { stateKeysOf, type TrustState, type TrustStateKeys, type TrustStateStore } from './trust-state';
import { TrustedMetadata } from './tuf/trusted-metadata';
import type { ExpectedFile, VerifiedTrust } from './tuf/types';

/** One verification of one repository: the request, and what it may still cost (download-bounds.ts). */
interface Call extends RepositoryRequest {
  readonly budget: RepositoryBudget;
}

export interface RepositoryClientDeps {
  readonly http: HttpTransport;
  readonly tokens: TokenAuthenticator;
  /** The remembered roots and version floors (read strictly, written by compare-and-swap). */
  readonly trustState: TrustStateStore;
  readonly observer?: Observer;
  readonly requestTimeoutMs?: number;
}

export interface RepositoryRequest {
  /** Base URL of the Notary server. */
  readonly server: string;
  /** The repository's GUN as docker writes it: sent to the server, matched against root certificates. */
  readonly gun: string;
  readonly pinnedRootKeys: readonly string[];
  readonly ca?: string;
  readonly credentials?: NotarySettings['auth'];
  /** Hosts whose token realm may receive the credentials; absent: the server's host only. */
  readonly tokenRealmHosts?: readonly string[];
  /** The evaluation instant for every expiry check. */
  readonly nowMs: number;
  readonly signal?: AbortSignal;
  /** The repository's trust identity (normalized server, host, pins); derived from the fields above when absent. */
  readonly identity?: TrustIdentity;
  /** The remembered state, when the caller already asked the store in the tick of its cache read. */
  readonly trustState?: Promise<TrustState>;
}

/** Store keys of a repository's remembered root and floors (for tests and operators; see trust-state.ts). */
export function trustStateKeys(server: string, gun: string, rootKeys: readonly string[] = []): TrustStateKeys {
  return stateKeysOf(trustIdentity({ server, rootKeys }, gun));
}

export class NotaryRepositoryClient {
  readonly #observer: Observer;
  readonly #timeoutMs: number;

  constructor(private readonly deps: RepositoryClientDeps) {
    this.#observer = deps.observer ?? silentObserver;
    this.#timeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /**
   * Fetches and verifies the repository's trust data from the remembered state, then remembers the new state;
   * throws TrustError with a stable code. When another instance swapped in a different root meanwhile, the data
   * is verified once more from that root (a new root must chain from the latest trusted one).
   */
  async loadTrust(request: RepositoryRequest): Promise<VerifiedTrust> {
    const identity =
      request.identity ?? trustIdentity({ server: request.server, rootKeys: request.pinnedRootKeys }, request.gun);
    let state = await (request.trustState ?? this.deps.trustState.read(identity, request.nowMs));
    for (let attempt = 0; ; attempt++) {
      const trust = await this.#verify(request, state);
      if ((await this.deps.trustState.remember(identity, state, trust, request.nowMs)) === 'remembered') {
        this.#observer.debug('notary trust data verified', {
          gun: request.gun,
          server: serverBase(request.server),
          versions: trust.versions,
          skippedRoles: trust.skippedRoles.map((skipped) => skipped.role),
        });
        return trust;
      }
      if (attempt >= 1) {
        throw new TrustError(
          'TRUST_STATE_UNAVAILABLE',
          `The remembered root of ${request.gun} changed twice while it was being verified; retry.`,
        );
      }
      this.#observer.warn('another instance stored a different root meanwhile; verifying again from it', {
        gun: request.gun,
      });
      state = await this.deps.trustState.read(identity, request.nowMs);
    }
  }

  async #verify(
    repositoryRequest: RepositoryRequest,
    { trustedRoot, minVersions }: TrustState,
  ): Promise<VerifiedTrust> {
    const request: Call = { ...repositoryRequest, budget: new RepositoryBudget(repositoryRequest.gun) };
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
      this.#fetchRole(request, 'root', {}, { topLevel: true }),
      this.#fetchRole(request, 'timestamp', {}, { topLevel: true }),
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
    // The core walks them once each and refuses a tree past MAX_DELEGATED_ROLES; the budget bounds the requests;
    // the deadline is checked between every two roles, so verification CPU cannot run on past it unnoticed.
    for (let pending = metadata.delegationsToFetch(); pending.length > 0; pending = metadata.delegationsToFetch()) {
      checkDeadline(request);
      const fetched = await Promise.all(pending.map((role) => fetchVerifiable(role.role, role)));
      for (const [index, role] of pending.entries()) {
        await yieldToTimers(); // lets the deadline's timer fire between two synchronous verifications
        checkDeadline(request);
        metadata.updateDelegatedTargets(role.role, fetched[index]!);
      }
    }

    return metadata.result();
  }

  /** GET one role's metadata: by checksum name when known, authenticated when the server challenges. */
  async #fetchRole(
    request: Call,
    role: string,
    expected: ExpectedFile,
    options: { topLevel?: boolean } = {},
  ): Promise<Uint8Array> {
    const maxBytes = maxBytesFor(request.gun, role, expected.length);
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
      this.#observer.count(
        METRIC.originErrors,
        1,
        { name: 'status', value: String(response.status) },
        formatDimension(NOTARY_ORIGIN.format),
      );
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
  async #fetchSpeculatively(request: Call, role: string): Promise<Uint8Array | undefined> {
    try {
      const path = `/v2/${encodeURI(request.gun)}/_trust/tuf/${encodeURI(role)}.json`;
      const response = await this.#get(request, path, maxBytesFor(request.gun, role, undefined));
      return response.status === 200 ? response.body : undefined;
    } catch {
      return undefined;
    }
  }

  /** One GET with token auth: sends a token up front when this server challenged before, else on a 401. */
  async #get(request: Call, path: string, maxBytes: number): Promise<HttpResponse> {
    const base = serverBase(request.server);
    const origin = new URL(base).origin;
    const tokenRequest = {
      origin: NOTARY_ORIGIN,
      repository: request.gun,
      credentials: request.credentials,
      // Basic credentials only to a realm on the Notary server's host (or one the rule lists), never to whatever
      // host a 401 names.
      credentialRealmHosts: request.tokenRealmHosts ?? [new URL(base).hostname.toLowerCase()],
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

  async #send(request: Call, url: string, maxBytes: number, authorization: string | undefined) {
    request.budget.request();
    const allowed = request.budget.allow(maxBytes);
    this.#observer.count(METRIC.originRequests, 1, formatDimension(NOTARY_ORIGIN.format));
    try {
      const response = await getFollowingSameOriginRedirects(this.deps.http, {
        url,
        origin: NOTARY_ORIGIN,
        maxBytes: allowed,
        timeoutMs: this.#timeoutMs,
        signal: request.signal,
        ca: request.ca,
        headers: authorization ? { authorization } : {},
      });
      request.budget.received(response.body.length);
      return response;
    } catch (error) {
      const code = error instanceof TrustError ? error.code : 'NOTARY_UNREACHABLE';
      this.#observer.count(
        METRIC.originErrors,
        1,
        { name: 'code', value: code },
        formatDimension(NOTARY_ORIGIN.format),
      );
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

function yieldToTimers(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The admission's deadline passed: stop between two steps rather than verify on for an answer nobody reads. */
function checkDeadline(request: RepositoryRequest): void {
  if (request.signal?.aborted) {
    throw new TrustError(
      'NOTARY_UNREACHABLE',
      `the trust data of ${request.gun} could not be verified before the admission deadline (stopped between two roles)`,
    );
  }
}

/** The server URL without a trailing slash: `https://notary.example.com`. */
function serverBase(server: string): string {
  return withoutTrailingSlashes(server);
}
