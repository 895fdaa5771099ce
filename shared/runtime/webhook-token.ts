import { ENV, WEBHOOK_TOKEN_RULE } from '../constants';
import { describeError } from '../describe-error';
import { InvalidInputError } from '../errors';
import { powertoolsSecretReader, type SecretReader } from './secrets';

export type { SecretReader } from './secrets';

/** How long a token read from Secrets Manager is reused before it is read again (rotation takes effect then). */
export const TOKEN_CACHE_SECONDS = 300;

/**
 * The webhook token source from the environment: WEBHOOK_TOKEN (plain, for local use), or
 * WEBHOOK_TOKEN_SECRET_ARN (Secrets Manager, read through Powertools Parameters, which caches it for
 * TOKEN_CACHE_SECONDS), or none. The secret reader is injected so that tests and the CLI need no AWS.
 */
export function webhookTokenFromEnv(
  env: NodeJS.ProcessEnv,
  readSecret: SecretReader = powertoolsSecretReader,
): () => Promise<string | undefined> {
  const plain = env[ENV.webhookToken];
  if (plain !== undefined && plain !== '') {
    const token = checked(plain, ENV.webhookToken);
    return async () => token;
  }
  const arn = env[ENV.webhookTokenSecretArn];
  if (arn === undefined || arn === '') return async () => undefined;
  return async () => {
    let value: unknown;
    try {
      value = await readSecret(arn, { maxAge: TOKEN_CACHE_SECONDS });
    } catch (error) {
      // Say which setting failed: the SDK's own message ("connect ECONNREFUSED") does not name the secret's use.
      const reason = describeError(error);
      throw new Error(`cannot read the webhook token from Secrets Manager (${ENV.webhookTokenSecretArn}): ${reason}`, {
        cause: error,
      });
    }
    if (typeof value !== 'string')
      throw new InvalidInputError(`the secret named by ${ENV.webhookTokenSecretArn} has no string value`);
    return checked(value.trim(), ENV.webhookTokenSecretArn);
  };
}

/** A token travels in the URL path: it must be one path segment, and long enough to resist guessing. */
function checked(token: string, source: string): string {
  if (!WEBHOOK_TOKEN_RULE.pattern.test(token)) {
    throw new InvalidInputError(`the webhook token from ${source} must be ${WEBHOOK_TOKEN_RULE.description}`);
  }
  return token;
}
