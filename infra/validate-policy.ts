import { InvalidPolicyError } from '../shared/errors';
import { FORMAT_MODULES } from '../shared/formats/modules';
import { credentialReferences } from '../shared/policy/credentials';
import { loadPolicy, readPolicyDocument } from '../shared/policy/load';
import { type AwsPermission, type FormatModule, sectionOf } from '../shared/verify/format';
import { ecrRepositoryArns } from './ecr-pull-scope';

/** What the stack must know of a policy it deploys. */
export interface DeployablePolicy {
  /** The Secrets Manager ARNs of the format sections' `auth.secretArn`, each once: the function may read these. */
  readonly secretArns: readonly string[];
  /** Other AWS API permissions the policy's formats need (each format module's `awsPermissions`). */
  readonly awsPermissions: readonly AwsPermission[];
  /** The ECR repository ARNs the policy verifies images of (ecr-pull-scope.ts): the function may pull these. */
  readonly ecrRepositoryArns: readonly string[];
}

/**
 * Validates the staged policy with the same loader the Lambda uses, so a bad policy fails `cdk synth` (naming the
 * field) instead of failing every admission after deploy. Secrets are not read here (synth runs offline, and the
 * deploying identity may not read them); their ARNs are returned for the grant. A section with `usernameEnv`/
 * `passwordEnv` is refused: secrets must not sit in Lambda environment variables, so the function would have no
 * such variables and refuse every admission.
 */
export async function validatePolicyFile(
  file: string,
  label: string = file,
  formats: readonly FormatModule[] = FORMAT_MODULES,
): Promise<DeployablePolicy> {
  const policy = await loadPolicy({ file, validateOnly: true, formats });
  const document = await readPolicyDocument({ file, formats });
  const references = credentialReferences(document, formats);
  const fromEnv = references.flatMap((reference) => (reference.kind === 'env' ? [reference] : []));
  if (fromEnv.length > 0) {
    const where = fromEnv.map((reference) => `${reference.field} (${reference.envNames.join(', ')})`).join('; ');
    throw new InvalidPolicyError(
      `invalid policy for deployment (${label}): ${where} reads credentials from environment variables, ` +
        'which the deployed function does not have (secrets stay out of Lambda environment variables). Store ' +
        '{"username": "...", "password": "..."} as a Secrets Manager secret and give auth: { secretArn: <its ARN> } ' +
        'instead (docs/deploy.md)',
    );
  }
  const arns = references.flatMap((reference) => (reference.kind === 'secret' ? [reference.secretArn] : []));
  // From the resolved sections: what the files they name hold counts (a trust policy's signing profiles).
  const awsPermissions = policy.rules.flatMap((rule) =>
    formats.flatMap((module) => {
      const settings = sectionOf(rule, module.key);
      return settings === undefined || module.awsPermissions === undefined ? [] : module.awsPermissions(settings);
    }),
  );
  return {
    secretArns: [...new Set(arns)],
    awsPermissions: uniquePermissions(awsPermissions),
    ecrRepositoryArns: ecrRepositoryArns(document),
  };
}

/** Each statement once (rules often share a section's settings). */
function uniquePermissions(permissions: readonly AwsPermission[]): AwsPermission[] {
  const seen = new Map<string, AwsPermission>();
  for (const permission of permissions) {
    const key = JSON.stringify([
      [...permission.actions].sort(),
      [...permission.resources].sort(),
      permission.conditions ?? {},
    ]);
    if (!seen.has(key)) seen.set(key, permission);
  }
  return [...seen.values()];
}
