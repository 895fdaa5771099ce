import { ENV, WEBHOOK_TOKEN_RULE } from '../constants';
import { describeError } from '../describe-error';
import { InvalidInputError } from '../errors';
import { type SecretStage, type SecretVersionReader, sdkSecretVersionReader } from './secret-versions';

export type { SecretVersionReader } from './secret-versions';

/** How long a token read from Secrets Manager is reused before it is read again (rotation takes effect then). */
export const TOKEN_CACHE_SECONDS = 300;

/**
 * How long after a rotation the previous token (AWSPREVIOUS) is still accepted, by default: an hour covers waiting
 * out TOKEN_CACHE_SECONDS and updating the webhook configuration of a few clusters. WEBHOOK_TOKEN_OVERLAP_SECONDS
 * sets it (0: the previous token is refused at once).
 */
export const DEFAULT_TOKEN_OVERLAP_SECONDS = 3_600;
/** A week: an old token must not stay valid for good because a rotation was never finished. */
export const MAX_TOKEN_OVERLAP_SECONDS = 7 * 24 * 3_600;

/** The tokens `/validate/<token>` accepts: the current one and, during a rotation's overlap, the previous one. */
export interface WebhookTokens {
  readonly current: string;
  readonly previous?: string;
}

/**
 * The webhook token source from the environment: WEBHOOK_TOKEN (plain, for local use: no rotation), or
 * WEBHOOK_TOKEN_SECRET_ARN (Secrets Manager), or none. From Secrets Manager, AWSCURRENT is the token; AWSPREVIOUS
 * (the token before the last rotation) is accepted too while AWSCURRENT is younger than the overlap, measured
 * from the creation date Secrets Manager gives the current version (not from when this process first saw it, so
 * every instance and every cold start agree on when the overlap ends). Each stage is reused TOKEN_CACHE_SECONDS.
 * An unreadable AWSCURRENT fails (no caller can be authenticated); an unreadable AWSPREVIOUS only means the
 * previous token is not accepted (fewer tokens, never more).
 */
export function webhookTokenFromEnv(
  env: NodeJS.ProcessEnv,
  readVersion: SecretVersionReader = sdkSecretVersionReader,
  now: () => number = Date.now,
): () => Promise<WebhookTokens | undefined> {
  const plain = env[ENV.webhookToken];
  if (plain !== undefined && plain !== '') {
    const tokens = { current: checked(plain, ENV.webhookToken) };
    return async () => tokens;
  }
  const arn = env[ENV.webhookTokenSecretArn];
  if (arn === undefined || arn === '') return async () => undefined;
  const overlapMs = overlapSeconds(env) * 1000;
  const cached = new Map<SecretStage, { readAt: number; version: { token: string; createdDate?: Date } | undefined }>();

  const read = async (stage: SecretStage) => {
    const hit = cached.get(stage);
    if (hit && now() - hit.readAt < TOKEN_CACHE_SECONDS * 1000) return hit.version;
    const found = await readVersion(arn, stage);
    let version: { token: string; createdDate?: Date } | undefined;
    if (found !== undefined) {
      if (typeof found.value !== 'string')
        throw new InvalidInputError(`the secret named by ${ENV.webhookTokenSecretArn} has no string value`);
      version = { token: checked(found.value.trim(), ENV.webhookTokenSecretArn), ...pick(found.createdDate) };
    }
    cached.set(stage, { readAt: now(), version });
    return version;
  };

  return async () => {
    let current: { token: string; createdDate?: Date } | undefined;
    try {
      current = await read('AWSCURRENT');
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      // Say which setting failed: the SDK's own message ("connect ECONNREFUSED") does not name the secret's use.
      const reason = describeError(error);
      throw new Error(`cannot read the webhook token from Secrets Manager (${ENV.webhookTokenSecretArn}): ${reason}`, {
        cause: error,
      });
    }
    if (current === undefined)
      throw new InvalidInputError(`the secret named by ${ENV.webhookTokenSecretArn} has no current value`);
    const created = current.createdDate?.getTime();
    // No creation date: the overlap cannot be bounded, so the previous token is not accepted.
    if (created === undefined || now() >= created + overlapMs) return { current: current.token };
    const previous = await read('AWSPREVIOUS').catch(() => undefined);
    return previous === undefined || previous.token === current.token
      ? { current: current.token }
      : { current: current.token, previous: previous.token };
  };
}

function pick(createdDate: Date | undefined): { createdDate?: Date } {
  return createdDate ? { createdDate } : {};
}

function overlapSeconds(env: NodeJS.ProcessEnv): number {
  const text = env[ENV.webhookTokenOverlapSeconds];
  if (text === undefined || text === '') return DEFAULT_TOKEN_OVERLAP_SECONDS;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_TOKEN_OVERLAP_SECONDS) {
    throw new InvalidInputError(
      `${ENV.webhookTokenOverlapSeconds} must be a whole number of seconds from 0 to ${MAX_TOKEN_OVERLAP_SECONDS}, not ${JSON.stringify(text)}`,
    );
  }
  return seconds;
}

/** A token travels in the URL path: it must be one path segment, and long enough to resist guessing. */
function checked(token: string, source: string): string {
  if (!WEBHOOK_TOKEN_RULE.pattern.test(token)) {
    throw new InvalidInputError(`the webhook token from ${source} must be ${WEBHOOK_TOKEN_RULE.description}`);
  }
  return token;
}
