/**
 * ECR authentication: `ecr:GetAuthorizationToken` in the registry's region gives a 12-hour token,
 * base64(`AWS:<password>`), sent as `Authorization: Basic <token>`. One token per registry host is kept in memory
 * until its `expiresAt` minus a margin and shared by every image; concurrent callers share one call.
 *
 * Tokens stay in this instance's memory and are never written to the shared cache table: an ECR token is a pull
 * credential for every repository the role can read, and the table's readers need not have that.
 * Every call is bounded by a timeout and by the admission's deadline (the SDK's `requestTimeout` alone only logs:
 * `throwOnRequestTimeout` and an abort signal make it stop).
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import { TrustError } from '../errors';
import { formatDimension, METRIC, type Observer, silentObserver } from '../observer';
import type { EcrHost } from './ecr-host';
import { REGISTRY_METRIC_FORMAT } from './registry-origin';

/** Tokens live 12 hours; one is renewed 15 minutes before it runs out, so none is sent as it expires. */
export const ECR_TOKEN_MARGIN_MS = 15 * 60_000;
/** GetAuthorizationToken answers in tens of milliseconds; 3 s is the transport's per-request timeout too. */
export const ECR_CALL_TIMEOUT_MS = 3_000;

/** The one call used, so tests may pass a client of their own. */
export interface EcrTokenApi {
  getAuthorizationToken(
    ecr: EcrHost,
    signal: AbortSignal,
  ): Promise<{ authorizationToken?: string; expiresAt?: Date } | undefined>;
}

export interface EcrAuthorizerDeps {
  readonly api?: EcrTokenApi;
  readonly clock?: Clock;
  readonly observer?: Observer;
  readonly timeoutMs?: number;
}

interface CachedToken {
  readonly header: string;
  readonly renewAtMs: number;
}

export class EcrAuthorizer {
  readonly #tokens = new Map<string, CachedToken>();
  readonly #inFlight = new Map<string, Promise<string>>();
  readonly #api: EcrTokenApi;
  readonly #clock: Clock;
  readonly #observer: Observer;
  readonly #timeoutMs: number;

  constructor(deps: EcrAuthorizerDeps = {}) {
    this.#api = deps.api ?? new SdkEcrTokenApi(deps.timeoutMs ?? ECR_CALL_TIMEOUT_MS);
    this.#clock = deps.clock ?? systemClock;
    this.#observer = deps.observer ?? silentObserver;
    this.#timeoutMs = deps.timeoutMs ?? ECR_CALL_TIMEOUT_MS;
  }

  /** `Basic <token>` for the registry host; `fresh` when the registry refused the cached one. */
  async authorization(host: string, ecr: EcrHost, options: { signal?: AbortSignal; fresh?: boolean } = {}) {
    const cached = this.#tokens.get(host);
    if (cached && !options.fresh && cached.renewAtMs > this.#clock()) return cached.header;
    const flightKey = options.fresh ? `${host}#fresh` : host;
    let pending = this.#inFlight.get(flightKey);
    if (!pending) {
      pending = this.#fetch(host, ecr, options.signal).finally(() => this.#inFlight.delete(flightKey));
      this.#inFlight.set(flightKey, pending);
    }
    return pending;
  }

  async #fetch(host: string, ecr: EcrHost, deadline: AbortSignal | undefined): Promise<string> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = deadline ? AbortSignal.any([deadline, timeout]) : timeout;
    this.#observer.count(METRIC.tokenRequests, 1, formatDimension(REGISTRY_METRIC_FORMAT));
    let answer: Awaited<ReturnType<EcrTokenApi['getAuthorizationToken']>>;
    try {
      answer = await this.#api.getAuthorizationToken(ecr, signal);
    } catch (error) {
      const answered = typeof (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const code = answered === 'number' && !signal.aborted ? 'REGISTRY_ERROR' : 'REGISTRY_UNREACHABLE';
      this.#observer.count(
        METRIC.originErrors,
        1,
        { name: 'code', value: code },
        formatDimension(REGISTRY_METRIC_FORMAT),
      );
      const why = signal.aborted
        ? timeout.aborted
          ? `did not answer within ${this.#timeoutMs} ms`
          : 'was aborted (deadline passed)'
        : `failed: ${describe(error)}`;
      throw new TrustError(
        code,
        `ECR GetAuthorizationToken for ${host} (region ${ecr.region}) ${why}; the role needs ecr:GetAuthorizationToken.`,
        { cause: error },
      );
    }
    const token = answer?.authorizationToken;
    const expiresAtMs = answer?.expiresAt?.getTime();
    if (!token || expiresAtMs === undefined || Number.isNaN(expiresAtMs)) {
      this.#observer.count(
        METRIC.originErrors,
        1,
        { name: 'code', value: 'REGISTRY_ERROR' },
        formatDimension(REGISTRY_METRIC_FORMAT),
      );
      throw new TrustError('REGISTRY_ERROR', `ECR GetAuthorizationToken for ${host} answered without a token.`);
    }
    const nowMs = this.#clock();
    const lifetimeMs = Math.max(0, expiresAtMs - nowMs);
    const header = `Basic ${token}`;
    this.#tokens.set(host, { header, renewAtMs: nowMs + lifetimeMs - Math.min(ECR_TOKEN_MARGIN_MS, lifetimeMs / 2) });
    return header;
  }
}

type EcrSdk = typeof import('@aws-sdk/client-ecr');
/** Loaded on the first ECR registry, not at cold start: most policies never reach ECR. */
let sdk: Promise<EcrSdk> | undefined;

/** The SDK: one ECR client per region (and FIPS endpoint), honouring AWS_ENDPOINT_URL_ECR. */
class SdkEcrTokenApi implements EcrTokenApi {
  readonly #clients = new Map<string, ECRClient>();
  constructor(private readonly timeoutMs: number) {}

  async getAuthorizationToken(ecr: EcrHost, signal: AbortSignal) {
    sdk ??= import('@aws-sdk/client-ecr');
    const { ECRClient, GetAuthorizationTokenCommand } = await sdk;
    const key = `${ecr.region}${ecr.fips ? '#fips' : ''}`;
    let client = this.#clients.get(key);
    if (!client) {
      client = new ECRClient({
        region: ecr.region,
        useFipsEndpoint: ecr.fips,
        maxAttempts: 1, // the deadline, not the SDK's retries, decides how long to wait
        requestHandler: {
          connectionTimeout: this.timeoutMs,
          requestTimeout: this.timeoutMs,
          throwOnRequestTimeout: true,
        },
      });
      this.#clients.set(key, client);
    }
    const output = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal: signal });
    return output.authorizationData?.[0];
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 200);
  const message = (error.message.split('\n')[0] ?? '').slice(0, 300);
  return error.name && error.name !== 'Error' ? `${error.name}: ${message}` : message;
}
