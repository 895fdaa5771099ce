import { createCacheFromEnv } from '../cache/create';
import type { Clock } from '../clock';
import { policyFromEnv } from '../policy/load';
import type { Policy } from '../policy/types';
import type { FormatModule } from '../verify/format';
import { createRuntime, type Runtime } from './runtime';
import { currentOnlyVersionReader } from './secret-versions';
import { policySecretReader, powertoolsSecretReader, type SecretReader } from './secrets';
import type { Telemetry } from './telemetry';
import { createVerifiers } from './verifiers';
import { type SecretVersionReader, TOKEN_CACHE_SECONDS, webhookTokenFromEnv } from './webhook-token';

export interface RuntimeFromEnvOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Folder that relative paths of POLICY_FILE and of the policy resolve against. */
  readonly baseDir: string;
  readonly telemetry: Telemetry;
  /** A policy the caller already resolved (the CLI's `--policy`); otherwise POLICY / POLICY_FILE / the default. */
  readonly policy?: Policy;
  /** Evaluation clock (the CLI's `--at`); the system clock otherwise. */
  readonly clock?: Clock;
  /** Secrets Manager for the policy's `auth.secretArn`; Powertools Parameters by default. */
  readonly readSecret?: SecretReader;
  /** Secrets Manager for the webhook token's AWSCURRENT and AWSPREVIOUS versions; the AWS SDK by default. */
  readonly readSecretVersion?: SecretVersionReader;
  /** The signature formats (default: FORMAT_MODULES); tests add a test-only one. */
  readonly formats?: readonly FormatModule[];
}

/**
 * The runtime from the environment of the contract: POLICY or POLICY_FILE, CACHE_TABLE (and the DynamoDB
 * endpoint override), WEBHOOK_TOKEN or WEBHOOK_TOKEN_SECRET_ARN. Fails fast on a bad policy or token setting,
 * and on credentials (`auth.secretArn`) that cannot be read: they are read once, here, at cold start.
 */
export async function runtimeFromEnv(options: RuntimeFromEnvOptions): Promise<Runtime> {
  const { env, telemetry } = options;
  const readSecret = options.readSecret ?? powertoolsSecretReader;
  const webhookToken = webhookTokenFromEnv(
    env,
    options.readSecretVersion ??
      (options.readSecret ? currentOnlyVersionReader(options.readSecret, TOKEN_CACHE_SECONDS) : undefined),
  );
  const policy =
    options.policy ??
    (await policyFromEnv(env, options.baseDir, {
      readSecret: policySecretReader(readSecret),
      ...(options.formats ? { formats: options.formats } : {}),
    }));
  const cache = createCacheFromEnv(env, telemetry.observer);
  return createRuntime({
    policy,
    verifiers: createVerifiers(policy, cache, telemetry.observer, options.formats),
    telemetry,
    ...(options.clock ? { clock: options.clock } : {}),
    webhookToken,
    flushCache: () => cache.flush(),
  });
}
