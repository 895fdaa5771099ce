import { stringify } from 'yaml';
import { HTTP_PATHS, WEBHOOK_TIMEOUT_SECONDS, WEBHOOK_TOKEN_RULE } from '../constants';
import { InvalidInputError } from '../errors';
import { withoutTrailingSlashes } from '../url';
import { BREAK_GLASS_LABEL, BREAK_GLASS_VALUE } from './break-glass';
import { TOKEN_PLACEHOLDER } from './stack-outputs';

// Kept light (stack-outputs.ts has no dependencies) so that the CLI's --help can name it without loading yaml.
export { TOKEN_PLACEHOLDER };

/**
 * Builds the `ValidatingWebhookConfiguration` that points the apiserver at the webhook. Pure: the CDK stack (with
 * CloudFormation tokens in `url`) and `notary-gate webhook-config` (with real values) both call it, so the two can
 * never disagree about rules, timeouts or exclusions.
 */

/** Stands in for the webhook token wherever the real one must not be written (CloudFormation outputs). */
export const DEFAULT_CONFIGURATION_NAME = 'notary-gate';
/** Webhook names must be fully qualified; this one is ours by convention, no domain is contacted. */
export const WEBHOOK_NAME = 'signed-images.notary-gate.io';
/** The mutating webhook's name, in the same convention. */
export const MUTATING_WEBHOOK_NAME = 'pin-digests.notary-gate.io';
/** Namespaces never sent to the webhook: the control plane must keep running whatever the policy says. */
export const ALWAYS_EXCLUDED_NAMESPACES = ['kube-system'] as const;
/** The apiserver caps webhook timeouts at 30 seconds. */
export const MAX_TIMEOUT_SECONDS = 30;

export type FailurePolicy = 'Fail' | 'Ignore';

export interface WebhookConfigurationOptions {
  /** Base URL of the webhook (the function URL), without the `/validate` path. */
  readonly url: string;
  /** The path token; `TOKEN_PLACEHOLDER` to fill in later; absent when the webhook runs without a token. */
  readonly token?: string;
  /** Base64 PEM bundle; only for endpoints whose certificate public roots do not cover (not function URLs). */
  readonly caBundle?: string;
  readonly timeoutSeconds?: number;
  readonly failurePolicy?: FailurePolicy;
  /** Namespaces excluded besides kube-system. */
  readonly excludedNamespaces?: readonly string[];
  readonly name?: string;
  /**
   * Skip UPDATEs that leave `spec` unchanged (labels, annotations, finalizers): images live only in the spec, so
   * such updates cannot introduce an image. Off by default, matching the policy's "check every image" default.
   */
  readonly skipUnchangedSpecUpdates?: boolean;
  /**
   * Break-glass: objects labelled `notary-gate.io/break-glass: "true"` are never sent to the validating webhook (an
   * `objectSelector`), so they are admitted unverified even while the webhook is down. Off by default. The mutating
   * webhook keeps seeing them, and logs and counts each one (docs/deploy.md, "Break-glass").
   */
  readonly breakGlass?: boolean;
}

/**
 * Resources whose objects carry a pod spec, grouped by API group, each admitted on CREATE and UPDATE: exactly those
 * whose pod spec extraction knows (shared/admission/extract.ts; a test holds the two together). PodTemplates run
 * nothing themselves, but what is created from them should fail at the template, not later. Argo Rollouts
 * (`argoproj.io`) are matched even where the CRD is not installed: a rule for a missing resource matches nothing.
 */
export const ADMITTED_RESOURCES: readonly { apiGroup: string; resources: readonly string[] }[] = [
  { apiGroup: '', resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers', 'podtemplates'] },
  { apiGroup: 'apps', resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
  { apiGroup: 'batch', resources: ['jobs', 'cronjobs'] },
  { apiGroup: 'argoproj.io', resources: ['rollouts'] },
];

/**
 * The token is one URL path segment, long enough to resist guessing: the same rule the runtime applies
 * (shared/runtime/webhook-token.ts), so a configuration this prints is never one the webhook refuses.
 * The stack generates 48 letters and digits.
 */
export function assertValidToken(token: string): void {
  if (!WEBHOOK_TOKEN_RULE.pattern.test(token)) {
    throw new InvalidInputError(`the webhook token must be ${WEBHOOK_TOKEN_RULE.description}`);
  }
}

/** The URL the apiserver calls: base + `/validate` (or `/mutate`) + `/<token>` when a token is used. */
export function webhookUrl(baseUrl: string, token?: string, path: string = HTTP_PATHS.validate): string {
  if (token !== undefined && token !== '' && token !== TOKEN_PLACEHOLDER) assertValidToken(token);
  const base = withoutTrailingSlashes(baseUrl);
  return token === undefined || token === '' ? `${base}${path}` : `${base}${path}/${token}`;
}

/** The ValidatingWebhookConfiguration: `/validate`, the one that decides; failurePolicy Fail by default. */
export function buildWebhookConfiguration(options: WebhookConfigurationOptions): Record<string, unknown> {
  return configurationOf(
    'ValidatingWebhookConfiguration',
    {
      ...webhookEntry(options, HTTP_PATHS.validate),
      name: WEBHOOK_NAME,
      failurePolicy: options.failurePolicy ?? 'Fail',
      ...(options.breakGlass && { objectSelector: BREAK_GLASS_OBJECT_SELECTOR }),
    },
    options,
  );
}

/**
 * Leaves out objects whose break-glass label is "true". The apiserver matches it against both object and oldObject
 * and sends the request when either matches: an UPDATE that adds the label to an existing object is still checked,
 * so the label exempts objects created with it (and later updates of them), not a change sneaked into one.
 */
export const BREAK_GLASS_OBJECT_SELECTOR = {
  matchExpressions: [{ key: BREAK_GLASS_LABEL, operator: 'NotIn', values: [BREAK_GLASS_VALUE] }],
} as const;

/**
 * The MutatingWebhookConfiguration: `/mutate`, which pins tag-only images to their verified digests. The same
 * rules, namespace selector, match conditions and timeout as the validating one, so both see the same objects;
 * `failurePolicy: Ignore` by default, because the validating webhook still guards what is admitted and a
 * mutating outage must not stop deployments; `reinvocationPolicy: IfNeeded`, so that an image another mutating
 * webhook adds after this one (a sidecar injector) is pinned too.
 */
export function buildMutatingWebhookConfiguration(options: WebhookConfigurationOptions): Record<string, unknown> {
  return configurationOf(
    'MutatingWebhookConfiguration',
    {
      ...webhookEntry(options, HTTP_PATHS.mutate),
      name: MUTATING_WEBHOOK_NAME,
      failurePolicy: options.failurePolicy ?? 'Ignore',
      reinvocationPolicy: 'IfNeeded',
    },
    options,
  );
}

function configurationOf(
  kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration',
  webhook: Record<string, unknown>,
  options: WebhookConfigurationOptions,
): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind,
    metadata: { name: options.name ?? DEFAULT_CONFIGURATION_NAME, labels: { 'app.kubernetes.io/name': 'notary-gate' } },
    webhooks: [webhook],
  };
}

/** What both webhooks share: endpoint, rules, namespace selector, side effects, timeout, match conditions. */
function webhookEntry(options: WebhookConfigurationOptions, path: string): Record<string, unknown> {
  const timeoutSeconds = options.timeoutSeconds ?? WEBHOOK_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    throw new InvalidInputError(`timeoutSeconds must be a whole number from 1 to ${MAX_TIMEOUT_SECONDS}`);
  }
  const excluded = [...new Set([...ALWAYS_EXCLUDED_NAMESPACES, ...(options.excludedNamespaces ?? [])])];
  const clientConfig: Record<string, string> = { url: webhookUrl(options.url, options.token, path) };
  if (options.caBundle) clientConfig.caBundle = options.caBundle;
  const webhook: Record<string, unknown> = {
    name: WEBHOOK_NAME,
    admissionReviewVersions: ['v1'],
    clientConfig,
    rules: ADMITTED_RESOURCES.map(({ apiGroup, resources }) => ({
      apiGroups: [apiGroup],
      apiVersions: ['*'],
      operations: ['CREATE', 'UPDATE'],
      resources: [...resources],
      scope: 'Namespaced',
    })),
    // Every resource above is namespaced, so the selector sees every request; kube-system stays out.
    namespaceSelector: {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: excluded }],
    },
    // The webhook only reads: dry-run requests (kubectl apply --dry-run=server) are sent too, so a dry run
    // answers truthfully whether the real request would be admitted.
    sideEffects: 'None',
    timeoutSeconds,
    matchPolicy: 'Equivalent',
  };
  if (options.skipUnchangedSpecUpdates) {
    webhook.matchConditions = [
      {
        name: 'skip-updates-with-unchanged-spec',
        expression:
          "request.operation != 'UPDATE' || !has(object.spec) || !has(oldObject.spec) || object.spec != oldObject.spec",
      },
    ];
  }
  return webhook;
}

/**
 * YAML for `kubectl apply -f -`. Lines are never folded: a folded URL would break, and in the CDK stack the URL
 * holds CloudFormation tokens that must stay in one piece.
 */
export function toYaml(configuration: Record<string, unknown>): string {
  return stringify(configuration, { lineWidth: 0, minContentWidth: 0 });
}

/** Replaces the token placeholder of a configuration produced with `token: TOKEN_PLACEHOLDER`. */
export function fillToken(yaml: string, token: string): string {
  assertValidToken(token);
  if (!yaml.includes(TOKEN_PLACEHOLDER)) {
    throw new InvalidInputError(`the webhook configuration has no ${TOKEN_PLACEHOLDER} placeholder to fill`);
  }
  return yaml.split(TOKEN_PLACEHOLDER).join(token);
}
