import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Code,
  type FunctionProps,
  type FunctionUrl,
  FunctionUrlAuthType,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV, METRICS_NAMESPACE, SERVICE_NAME, WEBHOOK_TIMEOUT_SECONDS } from '../shared/constants';
import { MAX_TOKEN_OVERLAP_SECONDS } from '../shared/runtime/webhook-token';
import type { AwsPermission } from '../shared/verify/format';
import { ecrPullPermissions } from './ecr-pull-grant';
import { BUNDLED_POLICY_DIR, BUNDLED_POLICY_FILE, LAMBDA_TASK_ROOT, type StagedPolicy } from './policy-bundle';
import { grantIdOf, ScopedGrant } from './scoped-grant';

/** The repository root, in a checkout: scripts/bundle.mjs bundles the webhook from its sources. */
const PROJECT_ROOT = join(__dirname, '..');
/** The handler module of the bundle (scripts/bundle.mjs): `index.handler` resolves to it. */
export const HANDLER_FILE = 'index.mjs';

/** The only item actions the trust cache uses (conditional PutItem included); never Scan, Delete or Update. */
export const CACHE_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem'] as const;

export interface WebhookFunctionProps {
  /** Handler module exporting `handler`, bundled like the webhook (a checkout only); default functions/webhook.ts. */
  readonly entry?: string;
  /** The policy to ship inside the code asset (see policy-bundle.ts); absent: the built-in default policy. */
  readonly policy?: StagedPolicy;
  /** Caps concurrent executions so that a flood of admissions cannot run up cost; undefined: no cap. */
  readonly reservedConcurrency?: number;
  readonly logRetention?: RetentionDays;
  /** More memory is more CPU for signature checks and a faster cold start; 1 GiB is plenty for the webhook. */
  readonly memorySize?: number;
  /**
   * Node reads the bundle's source maps (`--enable-source-maps`), so stack traces in the log name the sources.
   * Default false: reading them costs every cold start about a fifth of its module init (docs/performance.md);
   * the maps ship in the code asset either way, to map a minified trace by hand.
   */
  readonly sourceMaps?: boolean;
}

/**
 * The webhook function and the defaults it must have: Node.js 24 on arm64, bundled by the local esbuild (no Docker),
 * JSON logs into its own log group with retention, the timeout of the webhook itself. Binders grant access and set
 * the environment variable together, so the two cannot drift apart.
 */
export class WebhookFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WebhookFunctionProps = {}) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Decision records are the audit trail: keep them when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Its own role instead of the AWSLambdaBasicExecutionRole managed policy (logs on every log group):
    // it may write to its own log group and nothing else until a binder grants more.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(role);
    const policy = props.policy;
    const common = {
      role,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      // The apiserver stops waiting after the webhook's timeoutSeconds; running longer only costs money.
      // The handler answers before this by its own deadline (DEADLINE_MARGIN_MS).
      timeout: Duration.seconds(WEBHOOK_TIMEOUT_SECONDS),
      reservedConcurrentExecutions: props.reservedConcurrency,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.INFO,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...(props.sourceMaps && { NODE_OPTIONS: '--enable-source-maps' }),
        ...(policy && { [ENV.policyFile]: `${LAMBDA_TASK_ROOT}/${BUNDLED_POLICY_DIR}/${BUNDLED_POLICY_FILE}` }),
      },
    } satisfies Partial<FunctionProps>;
    this.function = new LambdaFunction(this, 'Function', {
      ...common,
      code: Code.fromAsset(codeAsset(props.entry, policy)),
      handler: 'index.handler',
    });
  }

  /** Lets the function read and write the trust cache table, and names the table in CACHE_TABLE. */
  bindCache(table: ITable): void {
    table.grant(this.function, ...CACHE_TABLE_ACTIONS);
    this.function.addEnvironment(ENV.cacheTable, table.tableName);
  }

  /**
   * Lets the function read the path token from Secrets Manager (AWSCURRENT and AWSPREVIOUS: GetSecretValue covers
   * every version), names the secret in WEBHOOK_TOKEN_SECRET_ARN, and the rotation overlap, when given, in
   * WEBHOOK_TOKEN_OVERLAP_SECONDS (the runtime's default otherwise).
   */
  bindTokenSecret(secret: ISecret, overlapSeconds?: number): void {
    secret.grantRead(this.function);
    this.function.addEnvironment(ENV.webhookTokenSecretArn, secret.secretArn);
    if (overlapSeconds !== undefined) {
      if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > MAX_TOKEN_OVERLAP_SECONDS)
        throw new Error(
          `tokenOverlap must be whole seconds from 0 to ${MAX_TOKEN_OVERLAP_SECONDS}, not ${overlapSeconds}`,
        );
      this.function.addEnvironment(ENV.webhookTokenOverlapSeconds, String(overlapSeconds));
    }
  }

  /**
   * Lets the function read the credentials secrets the policy's format sections name (`auth.secretArn`):
   * GetSecretValue on exactly those ARNs, nothing else. The policy, shipped in the bundle, names them; no
   * environment variable needed.
   */
  bindPolicySecrets(secretArns: readonly string[]): void {
    if (secretArns.length === 0) return;
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [...new Set(secretArns)] }),
    );
  }

  /**
   * Lets the function pull from the ECR repositories the policy verifies images of (`ecrRepositoryArns`), with the
   * ECR token to do so (see ecr-pull-grant.ts), as one policy of its own. None (the policy names no ECR host): no
   * ECR access at all.
   */
  bindEcrPull(repositoryArns: readonly string[]): void {
    const role = this.function.role;
    if (repositoryArns.length === 0 || !role) return;
    new ScopedGrant(this, 'EcrPull', { role, permissions: ecrPullPermissions(repositoryArns) });
  }

  /**
   * Grants the AWS API calls the policy's formats make (each format module's `awsPermissions`, e.g. AWS Signer
   * revocation in the trusted profiles' regions), each statement as a policy of its own so that the wildcard it may
   * need is acknowledged on it alone (scoped-grant.ts).
   */
  bindFormatPermissions(permissions: readonly AwsPermission[]): void {
    const role = this.function.role;
    if (!role) return;
    for (const permission of permissions) {
      new ScopedGrant(this, grantIdOf(permission), { role, permissions: [permission] });
    }
  }

  /** AuthType NONE: the apiserver cannot sign SigV4 requests; the path token is the authentication. */
  addPublicUrl(): FunctionUrl {
    return this.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
  }
}

/** Set by the package's build (scripts/bundle-cdk.mjs): the library runs from dist/cdk/, beside dist/webhook/. */
declare const NOTARY_GATE_PACKAGED: boolean | undefined;
const PACKAGED = typeof NOTARY_GATE_PACKAGED !== 'undefined' && NOTARY_GATE_PACKAGED;

/**
 * The code asset, one folder: the webhook bundle (index.mjs and its chunks, scripts/bundle.mjs) with the staged
 * policy beside it. In a checkout the bundle is built here, by the script `npm run build` and the bundle tests run,
 * so what is deployed is what was tested; the package ships the bundle its build made and tested (dist/webhook/).
 * Not NodejsFunction: its esbuild writes one file, and the split into chunks is what keeps the cold start short.
 */
function codeAsset(entry: string | undefined, policy: StagedPolicy | undefined): string {
  const asset = mkdtempSync(join(tmpdir(), 'notary-gate-asset-'));
  if (PACKAGED) {
    if (entry !== undefined) {
      throw new Error('notary-gate: `entry` needs a checkout of notary-gate to bundle it; the package deploys its own');
    }
    const bundleDir = join(__dirname, '..', 'webhook');
    if (!existsSync(join(bundleDir, HANDLER_FILE))) {
      throw new Error(`notary-gate: the webhook bundle is missing from the package (${bundleDir}/${HANDLER_FILE})`);
    }
    cpSync(bundleDir, asset, { recursive: true });
  } else {
    execFileSync(
      process.execPath,
      [join(PROJECT_ROOT, 'scripts', 'bundle.mjs'), '--outdir', asset, ...(entry ? ['--entry', entry] : [])],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 },
    );
  }
  if (policy) cpSync(policy.dir, join(asset, BUNDLED_POLICY_DIR), { recursive: true });
  return asset;
}
