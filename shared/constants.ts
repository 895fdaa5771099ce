/**
 * Names shared by the runtime (Lambda, CLI) and the infrastructure (CDK), so they cannot drift apart.
 * Anything both sides spell out belongs here; nothing here imports anything.
 */

/** Environment variables read by the Lambda and by `notary-gate serve`. */
export const ENV = {
  policy: 'POLICY',
  policyFile: 'POLICY_FILE',
  cacheTable: 'CACHE_TABLE',
  webhookToken: 'WEBHOOK_TOKEN',
  webhookTokenSecretArn: 'WEBHOOK_TOKEN_SECRET_ARN',
  /** How long the previous token (AWSPREVIOUS) is still accepted after a rotation (shared/runtime/webhook-token.ts). */
  webhookTokenOverlapSeconds: 'WEBHOOK_TOKEN_OVERLAP_SECONDS',
  /** Standard AWS SDK override, e.g. a local dynalite. */
  dynamodbEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
} as const;

/** The DynamoDB cache table: one string partition key, a numeric TTL attribute in epoch seconds. */
export const CACHE_TABLE_SCHEMA = {
  partitionKey: 'pk',
  ttlAttribute: 'expiresAt',
} as const;

/** HTTP paths of the webhook (function URL and `serve`). */
export const HTTP_PATHS = {
  validate: '/validate',
  mutate: '/mutate',
  health: '/healthz',
} as const;

/**
 * The webhook token travels in the URL path: one path segment (RFC 3986 unreserved characters), long enough to resist
 * guessing. The runtime refuses other tokens and `webhook-config` never prints one: both read this rule.
 */
export const WEBHOOK_TOKEN_RULE = {
  pattern: /^[A-Za-z0-9._~-]{16,256}$/,
  description: '16-256 characters of A-Z a-z 0-9 . _ ~ - (it is a URL path segment)',
} as const;

/** Powertools service name and metrics namespace. */
export const SERVICE_NAME = 'notary-gate';
export const METRICS_NAMESPACE = 'NotaryGate';

/**
 * The apiserver gives up after the webhook's `timeoutSeconds`; the handler must answer well before.
 * The CDK app writes this into the ValidatingWebhookConfiguration and sizes the function timeout from it.
 */
export const WEBHOOK_TIMEOUT_SECONDS = 10;
/** Time kept back from any deadline to serialise and send the answer. */
export const DEADLINE_MARGIN_MS = 750;
