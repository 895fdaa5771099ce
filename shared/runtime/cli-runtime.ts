import { fixedClock } from '../clock';
import { ENV } from '../constants';
import { InvalidInputError } from '../errors';
import { runtimeFromEnv } from './from-env';
import { resolveCliPolicy } from './policy-source';
import type { Runtime } from './runtime';
import { streamTelemetry } from './stream-telemetry';

export interface CliRuntimeOptions {
  /** `--policy FILE` */
  readonly policy?: string;
  /** `--cache-table NAME` */
  readonly cacheTable?: string;
  /** `--at RFC3339` */
  readonly at?: string;
  readonly debug?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/**
 * The runtime of `check`, `review` and `serve`: the Lambda's wiring with the CLI's flags on top (policy,
 * cache table, evaluation instant), reporting to standard error.
 */
export async function cliRuntime(options: CliRuntimeOptions): Promise<Runtime> {
  const cwd = options.cwd ?? process.cwd();
  const env = {
    ...(options.env ?? process.env),
    ...(options.cacheTable ? { [ENV.cacheTable]: options.cacheTable } : {}),
  };
  const policy = await resolveCliPolicy({ ...(options.policy ? { file: options.policy } : {}), env, cwd });
  return runtimeFromEnv({
    env,
    baseDir: cwd,
    telemetry: streamTelemetry({ debug: options.debug ?? false }),
    policy,
    ...(options.at !== undefined ? { clock: fixedClock(parseInstant(options.at)) } : {}),
  });
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `--at`: an RFC 3339 instant with an explicit offset (a local time would make audits ambiguous). */
export function parseInstant(text: string): number {
  const ms = RFC3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InvalidInputError(`--at must be an RFC 3339 instant such as 2026-01-31T12:00:00Z, not "${text}"`);
  }
  return ms;
}
