import path from 'node:path';
import { ENV } from '../constants';
import { access } from '../fs-promised';
import type { PolicySecretReader } from '../policy/credentials';
import { loadPolicy, policyFromEnv } from '../policy/load';
import type { Policy } from '../policy/types';
import { policySecretReader } from './secrets';

/** The policy file the CLI uses when present in the working folder and nothing else is named. */
export const LOCAL_POLICY_FILE = 'policy.yaml';

/**
 * The CLI's policy: `--policy FILE`, else POLICY / POLICY_FILE from the environment (as the Lambda reads
 * them), else ./policy.yaml when present, else the built-in default (enforce, deny everything unmatched).
 * A rule's `auth.secretArn` is read from Secrets Manager with the caller's AWS credentials (the SDK is loaded only
 * then); without credentials the policy is refused, naming the rule.
 */
export async function resolveCliPolicy(options: {
  file?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Default: Secrets Manager through Powertools Parameters. */
  readSecret?: PolicySecretReader;
}): Promise<Policy> {
  const readSecret = options.readSecret ?? policySecretReader();
  if (options.file !== undefined) return loadPolicy({ file: path.resolve(options.cwd, options.file), readSecret });
  if (options.env[ENV.policy] || options.env[ENV.policyFile]) {
    return policyFromEnv(options.env, options.cwd, { readSecret });
  }
  const local = path.join(options.cwd, LOCAL_POLICY_FILE);
  if (await exists(local)) return loadPolicy({ file: local, readSecret });
  return policyFromEnv(options.env, options.cwd, { readSecret });
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
