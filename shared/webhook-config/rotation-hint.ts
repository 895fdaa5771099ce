import { DEFAULT_TOKEN_OVERLAP_SECONDS, TOKEN_CACHE_SECONDS } from '../runtime/webhook-token';
import { STACK_OUTPUTS } from './stack-outputs';

/**
 * The token rotation steps (docs/deploy.md, "Rotating the token") with a deployed stack's names filled in, which
 * `webhook-config --stack` prints on stderr beside the configuration it prints on stdout: the moment someone
 * applies the token is the moment they need to know how to change it without a window of 403s.
 */
export interface RotationHintInput {
  readonly stackName: string;
  readonly region?: string;
  /** The stack's outputs (shared/webhook-config/stack-outputs.ts). */
  readonly outputs: Readonly<Record<string, string>>;
}

export function tokenRotationHint({ stackName, region, outputs }: RotationHintInput): string {
  const secretArn = outputs[STACK_OUTPUTS.tokenSecretArn] ?? '<WebhookTokenSecretArn output>';
  const regionFlag = region ? ` --region ${region}` : '';
  const apply = (extra: string) =>
    `       notary-gate webhook-config --stack ${stackName}${regionFlag}${extra} | kubectl apply -f -`;
  const mutating = outputs[STACK_OUTPUTS.mutatingWebhookConfiguration] !== undefined;
  return [
    `notary-gate: the token is the current version of ${secretArn}.`,
    '  To rotate it without a window of 403s (docs/deploy.md#rotating-the-token):',
    `    1. aws secretsmanager put-secret-value${regionFlag} --secret-id ${secretArn} --secret-string "$(openssl rand -hex 24)"`,
    `    2. wait ${TOKEN_CACHE_SECONDS / 60} minutes: warm instances keep their read of the secret that long (both tokens are accepted meanwhile)`,
    `    3. within the stack's tokenOverlap (default ${DEFAULT_TOKEN_OVERLAP_SECONDS / 3600} hour) after step 1, on every cluster:`,
    apply(''),
    ...(mutating ? [apply(' --mutating')] : []),
    '',
  ].join('\n');
}
