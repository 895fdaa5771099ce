import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { regionOf } from './secrets';

/**
 * One staged version of a Secrets Manager secret (AWSCURRENT, AWSPREVIOUS), with the date that version was
 * created. The webhook token needs both, and the date, which Powertools Parameters does not return (and its cache
 * keys a secret by name alone, so two stages of one secret would overwrite each other): hence the SDK here.
 */
export interface SecretVersion {
  readonly value: unknown;
  readonly createdDate?: Date;
}

export type SecretStage = 'AWSCURRENT' | 'AWSPREVIOUS';

/** Reads one stage of a secret; undefined when the secret has no version with that stage (never rotated). */
export type SecretVersionReader = (secretArn: string, stage: SecretStage) => Promise<SecretVersion | undefined>;

/** Every Secrets Manager call gives up after this: a cold start must not hang on it (as in secrets.ts). */
const CONNECTION_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 3_000;

const clients = new Map<string, Promise<SecretsManagerClient>>();

export const sdkSecretVersionReader: SecretVersionReader = async (secretArn, stage) => {
  const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = await clientFor(regionOf(secretArn));
  try {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }));
    return {
      value: answer.SecretString ?? answer.SecretBinary,
      ...(answer.CreatedDate ? { createdDate: answer.CreatedDate } : {}),
    };
  } catch (error) {
    // A secret never rotated has no AWSPREVIOUS: Secrets Manager says ResourceNotFoundException for the stage.
    if (stage === 'AWSPREVIOUS' && (error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
};

function clientFor(region: string | undefined): Promise<SecretsManagerClient> {
  const key = region ?? '';
  let client = clients.get(key);
  if (client === undefined) {
    client = import('@aws-sdk/client-secrets-manager').then(
      ({ SecretsManagerClient }) =>
        new SecretsManagerClient({
          ...(region && { region }),
          maxAttempts: 2,
          requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
        }),
    );
    client.catch(() => clients.delete(key));
    clients.set(key, client);
  }
  return client;
}

/**
 * A version reader over a plain secret reader (tests and callers that inject one for all secrets): AWSCURRENT with
 * no creation date, no AWSPREVIOUS, so only the current token is accepted (an unbounded overlap is never assumed).
 */
export function currentOnlyVersionReader(
  readSecret: (secretArn: string, options: { maxAge: number }) => Promise<unknown>,
  maxAge: number,
): SecretVersionReader {
  return async (secretArn, stage) =>
    stage === 'AWSCURRENT' ? { value: await readSecret(secretArn, { maxAge }) } : undefined;
}
