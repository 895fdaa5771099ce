/**
 * The OCI distribution client: resolve a reference to its descriptor, fetch manifests and blobs whose bytes are
 * checked against their digests, list referrers. Every request is bounded (bytes, time, the caller's deadline),
 * authenticated as the registry's `401` challenge asks (registry-auth.ts), and fails with REGISTRY_UNREACHABLE
 * (down, timeout, deadline) or REGISTRY_ERROR (bad answers, caps, digest mismatch), naming the host and the step.
 */
import type { KeyValueStore } from '../cache/types';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import { TrustError } from '../errors';
import { formatDimension, METRIC, type Observer, silentObserver } from '../observer';
import { type Descriptor, digestOf, isDigest, matchesDigest } from './descriptor';
import { EcrAuthorizer } from './ecr-auth';
import { DEFAULT_REQUEST_TIMEOUT_MS, type HttpResponse, type HttpTransport, NodeHttpTransport } from './http';
import { declaredMediaType } from './image-index';
import { bareMediaType, isManifestMediaType, MANIFEST_ACCEPT } from './media-types';
import { type RedirectPolicy, requestFollowingRedirects } from './redirects';
import { listReferrers, type ReferrersResult } from './referrers';
import { RegistryAuthorizer } from './registry-auth';
import { REGISTRY_METRIC_FORMAT, registryOrigin } from './registry-origin';
import { ResolutionCache } from './resolution-cache';
import { type RegistriesConfig, registryTarget } from './settings';
import { TokenAuthenticator } from './token-auth';

/** Manifests (and indexes, referrer listings) larger than 4 MiB are refused: the limit distribution and notation-go use. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/**
 * The most any blob download may hold, whatever the caller asks: Notation's envelope limit (32 MiB). Callers pass
 * a tighter ceiling for what they fetch.
 */
export const MAX_BLOB_BYTES = 32 * 1024 * 1024;

/** One repository of one registry: `{ host: 'docker.io', repository: 'library/alpine' }`. */
export interface RepositoryRef {
  /** Lower case, with port when given, as image names spell it. */
  readonly host: string;
  readonly repository: string;
}

export interface RegistryRequestOptions {
  /** The admission's deadline: aborting it stops every request. */
  readonly signal?: AbortSignal;
}

export interface FetchedManifest {
  /** The manifest's descriptor; `digest` and `size` are those of `bytes`. */
  readonly descriptor: Descriptor;
  readonly bytes: Uint8Array;
}

/**
 * What signature formats, the mutating endpoint and `inspect` use to talk to registries. Every byte returned has
 * been checked against its digest; every failure is a TrustError with a REGISTRY_* code.
 */
export interface RegistryClient {
  /** `HEAD` the manifest: the descriptor of a tag or digest (a digest must come back unchanged). Cached briefly. */
  resolve(
    repo: RepositoryRef,
    reference: string,
    options?: RegistryRequestOptions & { fresh?: boolean },
  ): Promise<Descriptor>;
  /** The manifest bytes for a descriptor (checked against digest and size) or a tag (checked against the header). */
  fetchManifest(
    repo: RepositoryRef,
    target: Descriptor | string,
    options?: RegistryRequestOptions,
  ): Promise<FetchedManifest>;
  /** A blob, at most `maxBytes` (and never more than MAX_BLOB_BYTES), checked against the descriptor. */
  fetchBlob(
    repo: RepositoryRef,
    descriptor: Descriptor,
    maxBytes: number,
    options?: RegistryRequestOptions,
  ): Promise<Uint8Array>;
  /**
   * The manifests that refer to `subject` (OCI referrers API, else the `sha256-<hex>` tag schema), filtered by
   * `artifactType` when given. A repository that does not exist is a REGISTRY_ERROR (`notFound`).
   */
  listReferrers(
    repo: RepositoryRef,
    subject: string,
    options?: RegistryRequestOptions & { artifactType?: string },
  ): Promise<ReferrersResult>;
}

export interface OciRegistryClientDeps {
  readonly http?: HttpTransport;
  /** Shared store for bearer tokens (as the Notary client's). */
  readonly store: KeyValueStore;
  readonly registries?: RegistriesConfig;
  readonly ecr?: EcrAuthorizer;
  readonly observer?: Observer;
  /** Real time, for token lifetimes and the resolution cache (never the evaluation instant). */
  readonly clock?: Clock;
  readonly requestTimeoutMs?: number;
}

/** A registry answer with no such thing (404 `MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, `BLOB_UNKNOWN`): not an outage. */
export class RegistryNotFoundError extends TrustError {
  readonly notFound = true;
}

/** The description of one request, for the authenticated sender. */
export interface RegistryRequest {
  readonly step: string;
  readonly method?: 'GET' | 'HEAD';
  /** A path below the base URL (`/v2/…`), or an absolute URL on the registry (pagination links). */
  readonly path: string;
  readonly accept: string;
  readonly maxBytes: number;
  readonly redirects?: RedirectPolicy;
}

export class OciRegistryClient implements RegistryClient {
  readonly #http: HttpTransport;
  readonly #auth: RegistryAuthorizer;
  readonly #observer: Observer;
  readonly #timeoutMs: number;
  readonly #resolutions: ResolutionCache;
  readonly #clock: Clock;
  /** Hosts found without the referrers API (see referrers.ts). */
  readonly #withoutReferrersApi = new Map<string, number>();

  constructor(private readonly deps: OciRegistryClientDeps) {
    this.#http = deps.http ?? new NodeHttpTransport();
    this.#observer = deps.observer ?? silentObserver;
    this.#timeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const clock = deps.clock ?? systemClock;
    this.#clock = clock;
    const tokens = new TokenAuthenticator({
      http: this.#http,
      store: deps.store,
      observer: this.#observer,
      clock,
      requestTimeoutMs: this.#timeoutMs,
    });
    const ecr = deps.ecr ?? new EcrAuthorizer({ clock, observer: this.#observer });
    this.#auth = new RegistryAuthorizer(tokens, ecr);
    this.#resolutions = new ResolutionCache({ clock, observer: this.#observer });
  }

  resolve(repo: RepositoryRef, reference: string, options: RegistryRequestOptions & { fresh?: boolean } = {}) {
    return this.#resolutions.resolve(repo, reference, options, (signal) =>
      this.#resolveAtRegistry(repo, reference, { signal }),
    );
  }

  async #resolveAtRegistry(
    repo: RepositoryRef,
    reference: string,
    options: RegistryRequestOptions,
  ): Promise<Descriptor> {
    const step = `resolve ${repo.repository}${isDigest(reference) ? '@' : ':'}${reference}`;
    const response = await this.send(
      repo,
      {
        step,
        method: 'HEAD',
        path: `/v2/${repo.repository}/manifests/${reference}`,
        accept: MANIFEST_ACCEPT,
        maxBytes: 0,
      },
      options,
    );
    this.#expectOk(repo, step, response);
    const mediaType = bareMediaType(response.headers['content-type']);
    const digest = response.headers['docker-content-digest']?.trim().toLowerCase();
    const size = Number(response.headers['content-length']);
    if (!digest || !isDigest(digest) || !Number.isSafeInteger(size) || !isManifestMediaType(mediaType)) {
      // Some registries (and proxies) leave a header out of HEAD answers: the body then tells (and is hashed).
      return (await this.fetchManifest(repo, reference, options)).descriptor;
    }
    const fail = (why: string) => this.#fail(repo, step, why);
    if (size > MAX_MANIFEST_BYTES) fail(`the manifest is ${size} bytes, more than the ${MAX_MANIFEST_BYTES} allowed`);
    if (isDigest(reference) && digest !== reference) fail(`it answered for digest ${digest} instead`);
    return { mediaType, digest, size };
  }

  async fetchManifest(repo: RepositoryRef, target: Descriptor | string, options: RegistryRequestOptions = {}) {
    const reference = typeof target === 'string' ? target : target.digest;
    const step = `fetch manifest ${repo.repository}${isDigest(reference) ? '@' : ':'}${reference}`;
    const fail = (why: string): never => this.#fail(repo, step, why);
    if (typeof target !== 'string' && target.size > MAX_MANIFEST_BYTES) {
      fail(`its descriptor says ${target.size} bytes, more than the ${MAX_MANIFEST_BYTES} allowed for a manifest`);
    }
    const accept = typeof target === 'string' ? MANIFEST_ACCEPT : `${target.mediaType}, ${MANIFEST_ACCEPT}`;
    const maxBytes = typeof target === 'string' ? MAX_MANIFEST_BYTES : target.size;
    const response = await this.send(
      repo,
      { step, path: `/v2/${repo.repository}/manifests/${reference}`, accept, maxBytes },
      options,
    );
    this.#expectOk(repo, step, response);
    const bytes = response.body;
    const declared = declaredMediaType(bytes);
    const mediaType = declared ?? bareMediaType(response.headers['content-type']);
    if (typeof target !== 'string') {
      if (bytes.length !== target.size) fail(`got ${bytes.length} bytes, the descriptor says ${target.size}`);
      if (!matchesDigest(bytes, target.digest)) fail(`the bytes do not hash to ${target.digest}`);
      if (declared !== undefined && declared !== target.mediaType) {
        fail(`the manifest says it is ${declared}, the descriptor says ${target.mediaType}`);
      }
      return { descriptor: { mediaType: target.mediaType, digest: target.digest, size: target.size }, bytes };
    }
    const headerDigest = response.headers['docker-content-digest']?.trim().toLowerCase();
    const digest = isDigest(reference) ? reference : digestOf(bytes, headerDigest ?? 'sha256:');
    if (!matchesDigest(bytes, digest)) fail(`the bytes do not hash to ${digest}`);
    if (headerDigest && headerDigest !== digest)
      fail(`Docker-Content-Digest ${headerDigest} is not the body's ${digest}`);
    if (!isManifestMediaType(mediaType))
      fail(`the manifest's media type ${mediaType || '(none)'} is not one of an image`);
    return { descriptor: { mediaType, digest, size: bytes.length }, bytes };
  }

  async fetchBlob(repo: RepositoryRef, descriptor: Descriptor, maxBytes: number, options: RegistryRequestOptions = {}) {
    const step = `fetch blob ${repo.repository}@${descriptor.digest}`;
    const ceiling = Math.min(maxBytes, MAX_BLOB_BYTES);
    if (descriptor.size > ceiling)
      this.#fail(repo, step, `it is ${descriptor.size} bytes, more than the ${ceiling} allowed`);
    const response = await this.send(
      repo,
      {
        step,
        path: `/v2/${repo.repository}/blobs/${descriptor.digest}`,
        accept: '*/*',
        maxBytes: descriptor.size,
        redirects: 'any-origin-without-authorization',
      },
      options,
    );
    this.#expectOk(repo, step, response);
    if (response.body.length !== descriptor.size) {
      this.#fail(repo, step, `got ${response.body.length} bytes, the descriptor says ${descriptor.size}`);
    }
    if (!matchesDigest(response.body, descriptor.digest))
      this.#fail(repo, step, `the bytes do not hash to ${descriptor.digest}`);
    return response.body;
  }

  listReferrers(
    repo: RepositoryRef,
    subject: string,
    options: RegistryRequestOptions & { artifactType?: string } = {},
  ) {
    return listReferrers(this, repo, subject, options, {
      withoutApi: this.#withoutReferrersApi,
      nowMs: this.#clock(),
    });
  }

  /**
   * One request with auth: credentials up front when the host is known, else after its `401`; a refused header
   * gets one fresh try, never a loop. Used by the referrers lister too.
   */
  async send(repo: RepositoryRef, request: RegistryRequest, options: RegistryRequestOptions): Promise<HttpResponse> {
    const target = registryTarget(repo.host, this.deps.registries);
    const authRequest = { target, repository: repo.repository, signal: options.signal };
    try {
      if (/^https?:\/\//.test(request.path) && new URL(request.path).origin !== new URL(target.baseUrl).origin) {
        throw new TrustError(
          'REGISTRY_ERROR',
          `Registry ${repo.host} linked to another origin (${new URL(request.path).origin}).`,
        );
      }
      let authorization = await this.#auth.upFront(authRequest);
      let response = await this.#hop(target.baseUrl, target.ca, repo, request, authorization, options);
      if (response.status !== 401) return response;
      authorization = await this.#auth.answer(
        authRequest,
        response.headers['www-authenticate'],
        authorization !== undefined,
      );
      response = await this.#hop(target.baseUrl, target.ca, repo, request, authorization, options);
      if (response.status === 401 || response.status === 403) {
        const { name, credentialsSetting } = registryOrigin(repo.host);
        throw new TrustError(
          'REGISTRY_ERROR',
          `${name} refused access to ${repo.repository} (${response.status}); check ${credentialsSetting} (or the role's ECR permissions).`,
        );
      }
      return response;
    } catch (error) {
      if (!(error instanceof TrustError)) throw error;
      if (error.message.startsWith(request.step)) throw error;
      throw new (error instanceof RegistryNotFoundError ? RegistryNotFoundError : TrustError)(
        error.code,
        `${request.step}: ${error.message}`,
        { cause: error },
      );
    }
  }

  async #hop(
    baseUrl: string,
    ca: string | undefined,
    repo: RepositoryRef,
    request: RegistryRequest,
    authorization: string | undefined,
    options: RegistryRequestOptions,
  ): Promise<HttpResponse> {
    const origin = registryOrigin(repo.host);
    this.#observer.count(METRIC.originRequests, 1, formatDimension(origin.format));
    try {
      return await requestFollowingRedirects(
        this.#http,
        {
          url: /^https?:\/\//.test(request.path) ? request.path : `${baseUrl}${request.path}`,
          origin,
          method: request.method,
          headers: { accept: request.accept, ...(authorization && { authorization }) },
          maxBytes: request.maxBytes,
          timeoutMs: this.#timeoutMs,
          signal: options.signal,
          ca,
        },
        request.redirects ?? 'same-origin',
      );
    } catch (error) {
      const code = error instanceof TrustError ? error.code : 'REGISTRY_UNREACHABLE';
      this.#observer.count(METRIC.originErrors, 1, { name: 'code', value: code }, formatDimension(origin.format));
      throw error instanceof TrustError
        ? error
        : new TrustError('REGISTRY_UNREACHABLE', `${origin.name}: ${request.step} failed.`, { cause: error });
    }
  }

  /** A 200, or the error its status means: 404 is RegistryNotFoundError, anything else REGISTRY_ERROR. */
  #expectOk(repo: RepositoryRef, step: string, response: HttpResponse): void {
    if (response.status === 200) return;
    this.#observer.count(
      METRIC.originErrors,
      1,
      { name: 'status', value: String(response.status) },
      formatDimension(REGISTRY_METRIC_FORMAT),
    );
    const codes = errorCodes(response.body);
    const detail = codes.length > 0 ? ` (${codes.join(', ')})` : '';
    const message = `${step}: Registry ${repo.host} answered ${response.status}${detail}.`;
    if (response.status === 404) throw new RegistryNotFoundError('REGISTRY_ERROR', message);
    throw new TrustError('REGISTRY_ERROR', message);
  }

  #fail(repo: RepositoryRef, step: string, why: string): never {
    this.#observer.count(
      METRIC.originErrors,
      1,
      { name: 'code', value: 'REGISTRY_ERROR' },
      formatDimension(REGISTRY_METRIC_FORMAT),
    );
    throw new TrustError('REGISTRY_ERROR', `${step}: Registry ${repo.host} gave a bad answer: ${why}.`);
  }
}

/** The `errors[].code` of a distribution error body (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`), at most a few. */
export function errorCodes(body: Uint8Array): string[] {
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { errors?: Array<{ code?: unknown }> };
    if (!Array.isArray(parsed?.errors)) return [];
    return parsed.errors
      .map((entry) => entry?.code)
      .filter((code): code is string => typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code))
      .slice(0, 3);
  } catch {
    return [];
  }
}
