import { loadPolicy } from '../shared/policy/load';

/**
 * Validates the staged policy with the same loader the Lambda uses, so a bad policy fails `cdk synth` (naming the
 * field) instead of failing every admission after deploy. Credentials named by `usernameEnv`/`passwordEnv` exist
 * only in the runtime, so they are not looked up here.
 */
export async function validatePolicyFile(file: string): Promise<void> {
  await loadPolicy({ file, validateOnly: true });
}
