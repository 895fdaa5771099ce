import { type Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CACHE_TABLE_SCHEMA, WEBHOOK_TIMEOUT_SECONDS } from '../shared/constants';
import type { AwsPermission } from '../shared/verify/format';
import {
  buildMutatingWebhookConfiguration,
  buildWebhookConfiguration,
  type FailurePolicy,
  TOKEN_PLACEHOLDER,
  toYaml,
} from '../shared/webhook-config/build';
import type { GateAlarmProps } from './gate-alarms';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { DecisionObservability } from './observability';
import { type StagedPolicy, stagePolicy } from './policy-bundle';
import { DEFAULT_SETTINGS } from './settings';
import { withSignerRevocationRegions } from './signer-revocation';
import type { DeployablePolicy } from './validate-policy';
import { validatePolicyFileSync } from './validate-policy-sync';
import { WebhookFunction } from './webhook-function';

/** What a CDK app sets on `new NotaryGate(this, 'Gate', { ... })`; every prop is optional. */
export interface NotaryGateProps {
  /**
   * The policy file to deploy (YAML or JSON) with the files its format sections name: validated at synth as the
   * function loads it (a bad policy throws the loader's message, naming the field) and shipped inside the code
   * asset. Default: the built-in policy, which denies every image.
   */
  readonly policyFile?: string;
  /** A policy already staged and validated (`preparePolicy`, or `stagePolicy` + `validatePolicyFile`); used instead of `policyFile`. */
  readonly policy?: StagedPolicy;
  /** Secrets Manager ARNs the function may read (`auth.secretArn`). Default: those `policyFile` names. */
  readonly secretArns?: readonly string[];
  /** Other AWS API permissions the policy's formats need. Default: those `policyFile` needs. */
  readonly awsPermissions?: readonly AwsPermission[];
  /**
   * Regions where the function may call signer:GetRevocationStatus (AWS Signer revocation); `[]`: nowhere. Default:
   * the regions of the signing profiles the Notation trust policies of `policyFile` trust with revocation on (none
   * without AWS Signer profiles). Given, it replaces the derived statement.
   */
  readonly signerRevocationRegions?: readonly string[];
  /**
   * ECR repository ARNs the function may pull from (with ecr:GetAuthorizationToken). Default: those the verify rules
   * of `policyFile` reach, narrowed from their globs (infra/ecr-pull-scope.ts); none when it names no ECR host.
   */
  readonly ecrRepositoryArns?: readonly string[];
  /** Cap on concurrent executions, so that a flood of admissions cannot run up cost. Default 50; `null`: no cap. */
  readonly reservedConcurrency?: number | null;
  /** What the apiserver does when the validating webhook cannot answer. Default `Fail` (fail closed). */
  readonly failurePolicy?: FailurePolicy;
  /** Also produce a MutatingWebhookConfiguration (`/mutate` pins tag-only images to verified digests). Default true. */
  readonly mutate?: boolean;
  /** Namespaces never sent to the webhook, besides `kube-system`. Default none. */
  readonly excludedNamespaces?: readonly string[];
  /** Retention of the decision log group (kept when the stack is deleted). Default three months. */
  readonly logRetention?: RetentionDays;
  /** Denied admissions in 5 minutes that raise the denial-spike alarm. Default 10. */
  readonly denialAlarmThreshold?: number;
  /**
   * How long after a token rotation the previous token (the secret's AWSPREVIOUS version) is still accepted, so that
   * the clusters' webhook configurations can be updated without a window of 403s (docs/deploy.md). Measured from the
   * creation of the current version; at most 7 days. Default one hour; `Duration.seconds(0)`: no overlap.
   */
  readonly tokenOverlap?: Duration;
  /**
   * The alarms on what goes wrong around the decision, each a threshold or `false` (off): `tokenRejections` (default
   * 3 refused tokens in 5 minutes), `urlClientErrors` (10 function URL 4xx in 5 minutes), `originErrors` (5 failed
   * exchanges with one format's signature sources in 5 minutes, per format), `noAdmissionsFor` (no admission for
   * 1 hour; missing data breaches). docs/deploy.md ("Alarms") says what each means and what to do.
   */
  readonly alarms?: GateAlarmProps;
  /**
   * Break-glass: objects labelled `notary-gate.io/break-glass: "true"` are left out of the validating webhook (an
   * objectSelector), so an emergency fix deploys even while the webhook or a signature source is down. The mutating
   * webhook still sees them and logs each one (saved query "break-glass", alarm BreakGlassUsed); with `mutate: false`
   * only the cluster's audit log does (docs/deploy.md, "Break-glass"). Default false.
   */
  readonly breakGlass?: boolean;
  /** SNS topic the alarms notify. Default none: alarms only change state (see the dashboard). */
  readonly alarmTopicArn?: string;
  /**
   * Stack traces in the log name the sources (`NODE_OPTIONS=--enable-source-maps`). Default false: node then reads
   * the source maps at every cold start, about a fifth of the module init (docs/performance.md).
   */
  readonly sourceMaps?: boolean;
  /** Handler module exporting `handler`, for tests. Default: the webhook (sources, or the package's bundle). */
  readonly entry?: string;
}

/** A staged, validated policy and what the function must be granted for it. */
export interface PreparedPolicy extends DeployablePolicy {
  readonly policy: StagedPolicy;
}

/**
 * Stages a policy file for the function's code asset and validates it as the function will load it (a bad policy
 * throws the loader's message): what `NotaryGate` does with `policyFile`. Call it first to fail before any
 * construct exists, and pass the result as props.
 */
export function preparePolicy(policyFile: string): PreparedPolicy {
  const policy = stagePolicy(policyFile);
  return { ...validatePolicyFileSync(policy.file, policyFile), policy };
}

/**
 * notary-gate in a CDK app: the webhook function behind a public function URL guarded by a path token (in Secrets
 * Manager), its DynamoDB trust cache, the decision log with saved queries, alarms and a dashboard, and the webhook
 * configurations to apply. Environment-agnostic: nothing is looked up at synth time, so `cdk synth` runs offline
 * without credentials. `NotaryGateStack` is this construct in a stack of its own, with outputs.
 */
export class NotaryGate extends Construct {
  readonly webhook: WebhookFunction;
  /** The Lambda function. */
  readonly function: IFunction;
  readonly cacheTable: Table;
  /** The path token (`/validate/<token>`); rotate it with the webhook configurations (docs/deploy.md). */
  readonly tokenSecret: Secret;
  readonly logGroup: ILogGroup;
  /** The function URL (ends in `/`). */
  readonly functionUrl: string;
  /** The ValidatingWebhookConfiguration YAML, `<WEBHOOK_TOKEN>` where the token goes (`webhook-config --stack` fills it). */
  readonly webhookConfiguration: string;
  /** The MutatingWebhookConfiguration YAML (token placeholder); undefined with `mutate: false`. */
  readonly mutatingWebhookConfiguration: string | undefined;
  readonly observability: DecisionObservability;

  constructor(scope: Construct, id: string, props: NotaryGateProps = {}) {
    super(scope, id);
    // A policy already staged and validated wins; policyFile is then only where it came from (the CDK app passes both).
    const prepared =
      props.policy === undefined && props.policyFile !== undefined ? preparePolicy(props.policyFile) : undefined;

    // Only a cache of verified trust data, rebuilt from Notary on a miss: nothing to keep when the stack goes.
    this.cacheTable = new Table(this, 'TrustCache', {
      partitionKey: { name: CACHE_TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: CACHE_TABLE_SCHEMA.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // The path token: only letters and digits, because it is a URL path segment.
    this.tokenSecret = new Secret(this, 'WebhookToken', {
      description:
        'notary-gate webhook path token (/validate/<token>, /mutate/<token>); rotate with the webhook configurations',
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });

    this.webhook = new WebhookFunction(this, 'Webhook', {
      entry: props.entry,
      policy: props.policy ?? prepared?.policy,
      reservedConcurrency:
        props.reservedConcurrency === null
          ? undefined
          : (props.reservedConcurrency ?? DEFAULT_SETTINGS.reservedConcurrency),
      logRetention: props.logRetention ?? DEFAULT_SETTINGS.logRetention,
      sourceMaps: props.sourceMaps ?? false,
    });
    this.function = this.webhook.function;
    this.logGroup = this.webhook.logGroup;
    this.webhook.bindCache(this.cacheTable);
    this.webhook.bindTokenSecret(this.tokenSecret, props.tokenOverlap?.toSeconds());
    this.webhook.bindPolicySecrets(props.secretArns ?? prepared?.secretArns ?? []);
    this.webhook.bindFormatPermissions(
      withSignerRevocationRegions(
        props.awsPermissions ?? prepared?.awsPermissions ?? [],
        props.signerRevocationRegions,
      ),
    );
    this.webhook.bindEcrPull(props.ecrRepositoryArns ?? prepared?.ecrRepositoryArns ?? []);
    const url = this.webhook.addPublicUrl();
    this.functionUrl = url.url;

    this.observability = new DecisionObservability(this, 'Decisions', {
      function: this.webhook.function,
      logGroup: this.webhook.logGroup,
      denialAlarmThreshold: props.denialAlarmThreshold ?? DEFAULT_SETTINGS.denialAlarmThreshold,
      alarmTopicArn: props.alarmTopicArn,
      ...(props.alarms && { alarms: props.alarms }),
      breakGlass: props.breakGlass ?? DEFAULT_SETTINGS.breakGlass,
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
      breakGlass: props.breakGlass ?? DEFAULT_SETTINGS.breakGlass,
    };
    this.webhookConfiguration = toYaml(
      buildWebhookConfiguration({ ...shape, failurePolicy: props.failurePolicy ?? DEFAULT_SETTINGS.failurePolicy }),
    );
    this.mutatingWebhookConfiguration =
      (props.mutate ?? DEFAULT_SETTINGS.mutate) ? toYaml(buildMutatingWebhookConfiguration(shape)) : undefined;

    acknowledgeNagFindings({ table: this.cacheTable, token: this.tokenSecret });
  }
}
