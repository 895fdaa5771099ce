import type { DescribeStacksCommandInput, DescribeStacksCommandOutput } from '@aws-sdk/client-cloudformation';
import type { GetSecretValueCommandInput, GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { InvalidInputError } from '../errors';
import { fillToken } from './build';
import { STACK_OUTPUTS } from './stack-outputs';

/**
 * Reads what the CLI needs from a deployed notary-gate stack. The clients are passed in: the CLI passes the SDK's
 * `CloudFormation` and `SecretsManager` clients (built with short timeouts), tests pass fakes with the same
 * methods, so nothing here reaches AWS on its own and only SDK types are imported.
 */
export type StackOutputs = Readonly<Record<string, string>>;
export interface CloudFormationApi {
  describeStacks(input: DescribeStacksCommandInput): Promise<DescribeStacksCommandOutput>;
}
export interface SecretsManagerApi {
  getSecretValue(input: GetSecretValueCommandInput): Promise<GetSecretValueCommandOutput>;
}

/** SDK settings for the CLI's AWS calls: a dead endpoint costs seconds, not minutes. */
export const CLI_AWS_CLIENT_CONFIG = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
} as const;

export async function readStackOutputs(cloudFormation: CloudFormationApi, stackName: string): Promise<StackOutputs> {
  const answer = await cloudFormation.describeStacks({ StackName: stackName });
  const stack = answer.Stacks?.[0];
  if (!stack) throw new InvalidInputError(`stack ${stackName} was not found`);
  return Object.fromEntries(
    (stack.Outputs ?? []).flatMap((output) =>
      output.OutputKey && output.OutputValue !== undefined ? [[output.OutputKey, output.OutputValue]] : [],
    ),
  );
}

/** One output, or an error that says which stack lacks it (an older or foreign stack). */
export function requireOutput(outputs: StackOutputs, key: string, stackName: string): string {
  const value = outputs[key];
  if (!value) {
    throw new InvalidInputError(
      `stack ${stackName} has no ${key} output: is it a notary-gate stack, deployed by this version?`,
    );
  }
  return value;
}

export async function readWebhookToken(secrets: SecretsManagerApi, secretArn: string): Promise<string> {
  const answer = await secrets.getSecretValue({ SecretId: secretArn });
  if (!answer.SecretString) throw new InvalidInputError(`secret ${secretArn} holds no string value`);
  return answer.SecretString.trim();
}

/**
 * The stack's webhook configuration with the real token filled in (or left as the placeholder): the validating one,
 * or with `mutating` the MutatingWebhookConfiguration (absent when the stack was deployed with `-c mutate=false`).
 */
export async function webhookConfigurationFromStack(
  clients: { cloudFormation: CloudFormationApi; secrets: SecretsManagerApi },
  stackName: string,
  options: { keepPlaceholder?: boolean; mutating?: boolean } = {},
): Promise<string> {
  const outputs = await readStackOutputs(clients.cloudFormation, stackName);
  return webhookConfigurationFromOutputs(clients.secrets, outputs, stackName, options);
}

/** As webhookConfigurationFromStack, from outputs already read (the CLI reads them once and prints hints too). */
export async function webhookConfigurationFromOutputs(
  secrets: SecretsManagerApi,
  outputs: StackOutputs,
  stackName: string,
  options: { keepPlaceholder?: boolean; mutating?: boolean } = {},
): Promise<string> {
  const key = options.mutating ? STACK_OUTPUTS.mutatingWebhookConfiguration : STACK_OUTPUTS.webhookConfiguration;
  const yaml = requireOutput(outputs, key, stackName);
  if (options.keepPlaceholder) return yaml;
  const token = await readWebhookToken(secrets, requireOutput(outputs, STACK_OUTPUTS.tokenSecretArn, stackName));
  return fillToken(yaml, token);
}
