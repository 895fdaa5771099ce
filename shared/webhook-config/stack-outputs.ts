/**
 * Output keys of the deployed stack: the CDK stack writes them and `notary-gate webhook-config --stack` and
 * `notary-gate decisions --stack` read them, so both import from here.
 */
export const STACK_OUTPUTS = {
  /** The ValidatingWebhookConfiguration YAML, with TOKEN_PLACEHOLDER where the path token goes. */
  webhookConfiguration: 'WebhookConfiguration',
  /** The MutatingWebhookConfiguration YAML (same placeholder); only when the stack is deployed with `mutate` on. */
  mutatingWebhookConfiguration: 'MutatingWebhookConfiguration',
  functionUrl: 'FunctionUrl',
  tokenSecretArn: 'WebhookTokenSecretArn',
  cacheTableName: 'CacheTableName',
  logGroupName: 'DecisionLogGroupName',
} as const;

/** Stands for the path token in the stack's output; `webhook-config --stack` replaces it with the secret's value. */
export const TOKEN_PLACEHOLDER = '<WEBHOOK_TOKEN>';
