import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { PolicySecretReader } from '../policy/credentials';

/**
 * Secrets Manager, read through Powertools Parameters (which caches each value for `maxAge` seconds): the one place
 * the runtime reads secrets, for the webhook token (webhook-token.ts) and the policy's Notary credentials. The SDK
 * is imported on first use, so processes that read no secret (the CLI with a plain policy) never load it.
 */

/** Reads a secret's value by ARN (or name), reusing a value younger than `maxAge` seconds. */
export type SecretReader = (secretArn: string, options: { maxAge: number }) => Promise<unknown>;

/**
 * How long Notary credentials are reused. The policy resolves them once per cold start, so this only matters
 * when several rules or runtimes in one process name the same secret.
 */
export const NOTARY_CREDENTIALS_CACHE_SECONDS = 300;

/** Every Secrets Manager call gives up after this: a cold start must not hang on it. */
const CONNECTION_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 3_000;

/** One provider per region: a secret is read from its own region (named in its ARN), wherever the function runs. */
const providers = new Map<string, Promise<SecretsProvider>>();

export const powertoolsSecretReader: SecretReader = async (secretArn, options) => {
  const provider = await providerFor(regionOf(secretArn));
  return provider.get(secretArn, { maxAge: options.maxAge });
};

/** The policy loader's reader: the secret's string value (Notary credentials are JSON text, never binary). */
export function policySecretReader(
  readSecret: SecretReader = powertoolsSecretReader,
  maxAge: number = NOTARY_CREDENTIALS_CACHE_SECONDS,
): PolicySecretReader {
  return async (secretArn) => {
    const value = await readSecret(secretArn, { maxAge });
    if (typeof value === 'string') return value;
    throw new Error(
      value instanceof Uint8Array ? 'it is a binary secret; store the JSON as the secret string' : 'it has no value',
    );
  };
}

/** `arn:aws:secretsmanager:<region>:...`; undefined for a plain secret name (the SDK's default region applies). */
export function regionOf(secretArn: string): string | undefined {
  const [arn, , service, region] = secretArn.split(':');
  return arn === 'arn' && service === 'secretsmanager' && region ? region : undefined;
}

function providerFor(region: string | undefined): Promise<SecretsProvider> {
  const key = region ?? '';
  let provider = providers.get(key);
  if (provider === undefined) {
    provider = import('@aws-lambda-powertools/parameters/secrets').then(
      ({ SecretsProvider }) =>
        new SecretsProvider({
          clientConfig: {
            ...(region && { region }),
            maxAttempts: 2,
            requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
          },
        }),
    );
    // A failed import is not cached: the next read tries again.
    provider.catch(() => providers.delete(key));
    providers.set(key, provider);
  }
  return provider;
}
