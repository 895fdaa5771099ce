import { CfnOutput, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CACHE_TABLE_SCHEMA, WEBHOOK_TIMEOUT_SECONDS } from '../shared/constants';
import type { AwsPermission } from '../shared/verify/format';
import {
  buildMutatingWebhookConfiguration,
  buildWebhookConfiguration,
  type FailurePolicy,
  TOKEN_PLACEHOLDER,
  toYaml,
} from '../shared/webhook-config/build';
import { STACK_OUTPUTS } from '../shared/webhook-config/stack-outputs';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { DecisionObservability } from './observability';
import type { StagedPolicy } from './policy-bundle';
import { DEFAULT_SETTINGS } from './settings';
import { WebhookFunction } from './webhook-function';

export interface NotaryGateStackProps extends StackProps {
  /** The policy, staged by `stagePolicy` (and validated) before the stack is built; absent: built-in default. */
  readonly policy?: StagedPolicy;
  /**
   * The Secrets Manager ARNs the policy reads credentials from (`auth.secretArn` of its format sections), as
   * `validatePolicyFile` returns them: the function may read these and no other secret of the account.
   */
  readonly secretArns?: readonly string[];
  /** Other AWS API permissions the policy's formats need, as `validatePolicyFile` returns them. */
  readonly awsPermissions?: readonly AwsPermission[];
  /**
   * The regions of the AWS Signer signing profiles the policy's Notation trust policies trust with revocation on
   * (`signerRevocationRegions`): the function may call signer:GetRevocationStatus there. Empty: no Signer access.
   */
  readonly signerRevocationRegions?: readonly string[];
  readonly reservedConcurrency?: number;
  /** The validating webhook's failure policy (default Fail); the mutating one is always Ignore. */
  readonly failurePolicy?: FailurePolicy;
  /**
   * Output a MutatingWebhookConfiguration besides the validating one (default true): `/mutate` pins tag-only images
   * to their verified digests. The function serves `/mutate` either way; this only decides whether it is configured.
   */
  readonly mutate?: boolean;
  readonly excludedNamespaces?: readonly string[];
  readonly logRetention?: RetentionDays;
  readonly denialAlarmThreshold?: number;
  readonly alarmTopicArn?: string;
  /** Handler module, for tests; default functions/webhook.ts. */
  readonly entry?: string;
}

/**
 * notary-gate on AWS: the webhook function behind a public function URL guarded by a path token, its trust cache
 * table, the decision log with saved queries and alarms, and the ValidatingWebhookConfiguration to apply.
 * Environment-agnostic: nothing is looked up at synth time, so `cdk synth` runs offline without credentials.
 */
export class NotaryGateStack extends Stack {
  readonly webhook: WebhookFunction;

  constructor(scope: Construct, id: string, props: NotaryGateStackProps = {}) {
    super(scope, id, {
      description: 'notary-gate: admits only container images whose digests are signed (Notary v1)',
      ...props,
    });

    // Only a cache of verified trust data, rebuilt from Notary on a miss: nothing to keep when the stack goes.
    const table = new Table(this, 'TrustCache', {
      partitionKey: { name: CACHE_TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: CACHE_TABLE_SCHEMA.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // The path token: only letters and digits, because it is a URL path segment.
    const token = new Secret(this, 'WebhookToken', {
      description:
        'notary-gate webhook path token (/validate/<token>, /mutate/<token>); rotate with the webhook configurations',
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });

    this.webhook = new WebhookFunction(this, 'Webhook', {
      entry: props.entry,
      policy: props.policy,
      reservedConcurrency: props.reservedConcurrency,
      logRetention: props.logRetention,
    });
    this.webhook.bindCache(table);
    this.webhook.bindTokenSecret(token);
    this.webhook.bindPolicySecrets(props.secretArns ?? []);
    this.webhook.bindFormatPermissions(props.awsPermissions ?? []);
    this.webhook.bindSignerRevocation(props.signerRevocationRegions ?? []);
    const url = this.webhook.addPublicUrl();

    new DecisionObservability(this, 'Decisions', {
      function: this.webhook.function,
      logGroup: this.webhook.logGroup,
      denialAlarmThreshold: props.denialAlarmThreshold ?? DEFAULT_SETTINGS.denialAlarmThreshold,
      alarmTopicArn: props.alarmTopicArn,
    });

    // The function URL ends with "/"; the configuration wants the bare origin, so keep only the host.
    const host = Fn.select(2, Fn.split('/', url.url));
    const shape = {
      url: `https://${host}`,
      // The token stays out of CloudFormation outputs (readable by anyone with cloudformation:Describe*);
      // `notary-gate webhook-config --stack` fills it in from Secrets Manager.
      token: TOKEN_PLACEHOLDER,
      timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
      excludedNamespaces: props.excludedNamespaces ?? [],
    };
    const configuration = buildWebhookConfiguration({
      ...shape,
      failurePolicy: props.failurePolicy ?? DEFAULT_SETTINGS.failurePolicy,
    });
    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    output(
      STACK_OUTPUTS.webhookConfiguration,
      toYaml(configuration),
      'ValidatingWebhookConfiguration (token placeholder)',
    );
    if (props.mutate ?? DEFAULT_SETTINGS.mutate) {
      output(
        STACK_OUTPUTS.mutatingWebhookConfiguration,
        toYaml(buildMutatingWebhookConfiguration(shape)),
        'MutatingWebhookConfiguration (token placeholder): pins tag-only images to their verified digests',
      );
    }
    output(STACK_OUTPUTS.functionUrl, url.url, 'Webhook function URL');
    output(STACK_OUTPUTS.tokenSecretArn, token.secretArn, 'Secrets Manager secret holding the path token');
    output(STACK_OUTPUTS.cacheTableName, table.tableName, 'DynamoDB trust cache table');
    output(STACK_OUTPUTS.logGroupName, this.webhook.logGroup.logGroupName, 'Decision log group');

    acknowledgeNagFindings({ table, token });
  }
}
