/**
 * signer:GetRevocationStatus through @aws-sdk/client-signer: the I/O edge of AWS Signer revocation.
 *
 * One client per region, because the call must go to the signature's own region (and through it, its partition:
 * the SDK resolves `signer.us-gov-west-1.amazonaws.com` from the region). Every call is bounded twice: by the
 * caller's abort signal (the admission's deadline) and by a per-attempt timeout that throws
 * (`throwOnRequestTimeout`; without it the SDK only logs a warning and a silent endpoint holds the call forever).
 */
import type { SignerClient } from '@aws-sdk/client-signer';

type SignerSdk = typeof import('@aws-sdk/client-signer');
let sdk: Promise<SignerSdk> | undefined;
/**
 * The Signer client library is loaded on the first revocation check, not at module init: it takes about 230 ms to
 * load here, and most admissions (and every CLI command without an AWS Signer signature) never need it.
 */
function loadSignerSdk(): Promise<SignerSdk> {
  sdk ??= import('@aws-sdk/client-signer');
  return sdk;
}

/** What AWS is asked about one signature (the plugin's GetRevocationStatusInput, plus where to ask). */
export interface RevocationQuery {
  /** Region of the signing profile, from its ARN; the partition follows from it. */
  readonly region: string;
  readonly signatureTimestampMs: number;
  readonly platformId: string;
  readonly profileVersionArn: string;
  readonly jobArn: string;
  readonly certificateHashes: readonly string[];
}

export interface SignerRevocationApi {
  /** The revoked entities (ARNs or certificate hashes); rejects when AWS cannot answer. */
  getRevocationStatus(query: RevocationQuery, signal: AbortSignal): Promise<readonly string[]>;
}

export interface SdkSignerApiOptions {
  /**
   * A custom endpoint (`AWS_ENDPOINT_URL_SIGNER`, e.g. a fake Signer on 127.0.0.1). With one, the `data-` host
   * prefix of GetRevocationStatus is turned off: the SDK would otherwise connect to `data-127.0.0.1`.
   */
  readonly endpoint?: string;
  /** Only for fake endpoints in tests; in AWS the SDK's default chain (the Lambda role) is right. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Per HTTP attempt. */
  readonly attemptTimeoutMs?: number;
}

/**
 * One attempt gets 2 s, the timeout notation-go gives an OCSP request, and the same order as a cold TLS handshake
 * to a regional endpoint plus the call; the admission's deadline still cuts it shorter when less time is left.
 */
export const SIGNER_ATTEMPT_TIMEOUT_MS = 2000;
/** One retry for throttling and transient errors, as the cache's DynamoDB client does; the deadline bounds both. */
const SIGNER_MAX_ATTEMPTS = 2;
/**
 * Clients kept, one per region. A region comes from a signed attribute, and a region name is validated before it
 * gets here, so this only guards memory: AWS has fewer than 40 regions across all partitions.
 */
export const MAX_SIGNER_CLIENTS = 40;

export class SdkSignerRevocationApi implements SignerRevocationApi {
  private readonly clients = new Map<string, SignerClient>();

  constructor(private readonly options: SdkSignerApiOptions = {}) {}

  async getRevocationStatus(query: RevocationQuery, signal: AbortSignal): Promise<readonly string[]> {
    const { GetRevocationStatusCommand, SignerClient } = await loadSignerSdk();
    signal.throwIfAborted();
    const output = await this.client(SignerClient, query.region).send(
      new GetRevocationStatusCommand({
        signatureTimestamp: new Date(query.signatureTimestampMs),
        platformId: query.platformId,
        profileVersionArn: query.profileVersionArn,
        jobArn: query.jobArn,
        certificateHashes: [...query.certificateHashes],
      }),
      { abortSignal: signal },
    );
    return output.revokedEntities ?? [];
  }

  private client(Client: SignerSdk['SignerClient'], region: string): SignerClient {
    let client = this.clients.get(region);
    if (client) return client;
    if (this.clients.size >= MAX_SIGNER_CLIENTS) {
      const [oldest, evicted] = this.clients.entries().next().value as [string, SignerClient];
      this.clients.delete(oldest);
      evicted.destroy();
    }
    const timeoutMs = this.options.attemptTimeoutMs ?? SIGNER_ATTEMPT_TIMEOUT_MS;
    client = new Client({
      region,
      maxAttempts: SIGNER_MAX_ATTEMPTS,
      requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
      ...(this.options.endpoint ? { endpoint: this.options.endpoint, disableHostPrefix: true } : {}),
      ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
    });
    this.clients.set(region, client);
    return client;
  }
}

/** The environment variable the SDK (and this module) reads for a custom Signer endpoint. */
export const SIGNER_ENDPOINT_ENV = 'AWS_ENDPOINT_URL_SIGNER';

/** The API from the environment: the standard endpoint override, with the host prefix off when it is set. */
export function signerRevocationApiFromEnv(env: NodeJS.ProcessEnv): SdkSignerRevocationApi {
  const endpoint = env[SIGNER_ENDPOINT_ENV]?.trim();
  return new SdkSignerRevocationApi(endpoint ? { endpoint } : {});
}
