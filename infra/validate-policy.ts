import { InvalidPolicyError } from '../shared/errors';
import { credentialReferences } from '../shared/policy/credentials';
import { loadPolicy, readPolicyDocument } from '../shared/policy/load';

/** What the stack must know of a policy it deploys. */
export interface DeployablePolicy {
  /** The Secrets Manager ARNs of the rules' `auth.secretArn`, each once: the function is granted read on these. */
  readonly notarySecretArns: readonly string[];
}

/**
 * Validates the staged policy with the same loader the Lambda uses, so a bad policy fails `cdk synth` (naming the
 * field) instead of failing every admission after deploy. Secrets are not read here (synth runs offline, and the
 * deploying identity may not read them); their ARNs are returned for the grant. A rule with `usernameEnv`/
 * `passwordEnv` is refused: secrets must not sit in Lambda environment variables, so the function would have no
 * such variables and refuse every admission.
 */
export async function validatePolicyFile(file: string, label: string = file): Promise<DeployablePolicy> {
  await loadPolicy({ file, validateOnly: true });
  const references = credentialReferences(await readPolicyDocument({ file }));
  const fromEnv = references.flatMap((reference) => (reference.kind === 'env' ? [reference] : []));
  if (fromEnv.length > 0) {
    const where = fromEnv.map((reference) => `${reference.field} (${reference.envNames.join(', ')})`).join('; ');
    throw new InvalidPolicyError(
      `invalid policy for deployment (${label}): ${where} reads Notary credentials from environment variables, ` +
        'which the deployed function does not have (secrets stay out of Lambda environment variables). Store ' +
        '{"username": "...", "password": "..."} as a Secrets Manager secret and give auth: { secretArn: <its ARN> } ' +
        'instead (docs/deploy.md)',
    );
  }
  const arns = references.flatMap((reference) => (reference.kind === 'secret' ? [reference.secretArn] : []));
  return { notarySecretArns: [...new Set(arns)] };
}
