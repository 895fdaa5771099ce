import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parse } from 'yaml';
import { stagePolicy } from '../../infra/policy-bundle';
import { NotaryGateStack } from '../../infra/stack';
import { CACHE_TABLE_SCHEMA, ENV, WEBHOOK_TIMEOUT_SECONDS } from '../../shared/constants';
import { DECISION_QUERIES } from '../../shared/log/queries';
import { TOKEN_PLACEHOLDER } from '../../shared/webhook-config/build';
import { STACK_OUTPUTS } from '../../shared/webhook-config/stack-outputs';

// The same feature flags and context as `npx cdk synth`.
const cdkContext = JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8')).context;
// A stand-in handler keeps these tests independent of the webhook's own bundle (infra/synth.test.ts bundles it).
const entry = join(__dirname, 'fixtures/handler.ts');

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
/** CloudFormation JSON is read field by field below; each assertion checks the shape it relies on. */
// biome-ignore lint/suspicious/noExplicitAny: synthesized template JSON
type CfnResource = { Type: string; Properties: Record<string, any> };

describe('the notary-gate stack', () => {
  const app = new App({ context: cdkContext });
  const policy = stagePolicy(join(__dirname, 'fixtures/policy/policy.yaml'));
  const stack = new NotaryGateStack(app, 'NotaryGate', {
    entry,
    policy,
    reservedConcurrency: 25,
    excludedNamespaces: ['monitoring'],
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const [tableId] = ofType('AWS::DynamoDB::Table')[0]!;
  const [functionId, fn] = ofType('AWS::Lambda::Function')[0]!;
  const [secretId] = ofType('AWS::SecretsManager::Secret')[0]!;
  const [logGroupId] = ofType('AWS::Logs::LogGroup')[0]!;

  describe('the trust cache table', () => {
    it('keys on the shared partition key and expires items by the shared TTL attribute, on demand', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: CACHE_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: CACHE_TABLE_SCHEMA.partitionKey, AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: CACHE_TABLE_SCHEMA.ttlAttribute, Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
      });
    });

    it('is deleted with the stack, being only a cache', () => {
      template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    });
  });

  describe('the webhook function', () => {
    it('runs Node.js 22 or newer on arm64 with JSON logs into its own log group', () => {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime)?.[1])).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', LogGroup: { Ref: logGroupId } });
    });

    it('stops when the apiserver stops waiting, no earlier', () => {
      expect(fn.Properties.Timeout).toBe(WEBHOOK_TIMEOUT_SECONDS);
    });

    it('has the reserved concurrency asked for', () => {
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(25);
    });

    it('names the cache table, the token secret and the bundled policy file in its environment', () => {
      expect(fn.Properties.Environment).toEqual({
        Variables: expect.objectContaining({
          [ENV.cacheTable]: { Ref: tableId },
          [ENV.webhookTokenSecretArn]: { Ref: secretId },
          [ENV.policyFile]: '/var/task/policy/policy.json',
        }),
      });
    });

    it('is reachable at a function URL without IAM auth, for the apiserver cannot sign requests', () => {
      template.hasResourceProperties('AWS::Lambda::Url', {
        AuthType: 'NONE',
        TargetFunctionArn: { 'Fn::GetAtt': [functionId, 'Arn'] },
      });
    });

    it('ships the policy and the files it refers to inside its code asset', () => {
      const assetDir = join(app.outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      const shipped = readFileSync(join(assetDir, 'policy/policy.json'), 'utf8');
      const rule = parse(shipped).rules[0].notary;
      expect(existsSync(join(assetDir, 'policy', rule.caFile))).toBe(true);
      expect(readFileSync(join(assetDir, 'policy', rule.rootKeys[0]), 'utf8')).toContain('TESTROOT');
      expect(rule.rootKeys[1]).toContain('-----BEGIN PUBLIC KEY-----');
    });
  });

  describe('the token secret', () => {
    it('is generated with URL-safe characters only', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: Match.objectLike({ ExcludePunctuation: true, IncludeSpace: false }),
      });
    });
  });

  describe('the decision log', () => {
    it('keeps logs for a bounded time', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
    });

    it('has every decision query saved against it', () => {
      const saved = ofType('AWS::Logs::QueryDefinition').map(([, query]) => query.Properties);
      expect(saved.length).toBeGreaterThanOrEqual(4);
      expect(saved.map((query) => query.QueryString)).toEqual(DECISION_QUERIES.map((query) => query.text));
      for (const query of saved) expect(query.LogGroupNames).toEqual([{ Ref: logGroupId }]);
    });

    it('counts denied admissions with a metric filter on the decision field', () => {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: logGroupId },
        FilterPattern: Match.stringLikeRegexp('\\$\\.decision = "deny"'),
      });
    });
  });

  describe('the alarms', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties as Record<string, unknown>);

    it('watch errors, throttles, p99 duration near the timeout, denial spikes and what goes wrong around them', () => {
      expect(alarms.map((alarm) => alarm.MetricName ?? 'metrics-insights').sort()).toEqual(
        [
          'DeniedAdmissions',
          'Duration',
          'Errors',
          'Throttles',
          'RejectedTokens',
          'Url4xxCount',
          'ValidatingAdmissions',
          'metrics-insights',
          'metrics-insights',
        ].sort(),
      );
    });

    it('raise the duration alarm below the webhook timeout', () => {
      const duration = alarms.find((alarm) => alarm.MetricName === 'Duration')!;
      expect(duration.ExtendedStatistic).toBe('p99');
      expect(duration.Threshold).toBeLessThan(WEBHOOK_TIMEOUT_SECONDS * 1000);
      expect(duration.Threshold).toBeGreaterThanOrEqual(WEBHOOK_TIMEOUT_SECONDS * 500);
    });
  });

  describe('the permissions', () => {
    const statements = ofType('AWS::IAM::Policy').flatMap(
      ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    const actionsOf = (statement: Statement) => [statement.Action].flat();

    it('allow only item reads and puts, on the cache table alone', () => {
      const dynamo = statements.filter((statement) => actionsOf(statement).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo).toHaveLength(1);
      expect(actionsOf(dynamo[0]!).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
      expect(dynamo[0]!.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
    });

    it('never grant a wildcard action or resource', () => {
      for (const statement of statements) {
        expect(actionsOf(statement).filter((action) => action.endsWith(':*') || action === '*')).toEqual([]);
        expect([statement.Resource].flat()).not.toContain('*');
      }
    });

    it('use no AWS managed policy', () => {
      for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });
  });

  describe('the outputs', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const host = 'abcdefghij.lambda-url.eu-west-1.on.aws';
    /** Resolves the CloudFormation value as CloudFormation would, with a made-up function URL. */
    const resolve = (value: unknown): string => {
      if (typeof value === 'string') return value;
      const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      if (join) return join[1].map(resolve).join(join[0]);
      if ((value as Record<string, unknown>)['Fn::Select']) return host;
      throw new Error(`unexpected value ${JSON.stringify(value)}`);
    };
    const configuration = parse(resolve(outputs[STACK_OUTPUTS.webhookConfiguration]?.Value));
    const webhook = configuration.webhooks[0];

    it('name the function URL, the secret, the table and the log group', () => {
      expect(Object.keys(outputs)).toEqual(expect.arrayContaining(Object.values(STACK_OUTPUTS)));
    });

    it('hold a ValidatingWebhookConfiguration that parses as YAML', () => {
      expect(configuration).toMatchObject({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
      });
    });

    it('hold a MutatingWebhookConfiguration on /mutate that sees the same objects, ignored when it fails', () => {
      const mutating = parse(resolve(outputs[STACK_OUTPUTS.mutatingWebhookConfiguration]?.Value));
      expect(mutating).toMatchObject({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
      });
      const pin = mutating.webhooks[0];
      expect(pin).toMatchObject({
        clientConfig: { url: `https://${host}/mutate/${TOKEN_PLACEHOLDER}` },
        reinvocationPolicy: 'IfNeeded',
        sideEffects: 'None',
        failurePolicy: 'Ignore',
      });
      for (const field of ['rules', 'namespaceSelector', 'timeoutSeconds', 'admissionReviewVersions']) {
        expect(pin[field]).toEqual(webhook[field]);
      }
    });

    it('point it at the function URL with a placeholder, never the token itself', () => {
      expect(webhook.clientConfig.url).toBe(`https://${host}/validate/${TOKEN_PLACEHOLDER}`);
      expect(JSON.stringify(outputs)).not.toMatch(/SecretString|resolve:secretsmanager/);
    });

    it('give it the rules, timeout, failure policy and exclusions of the deployment', () => {
      expect(webhook).toMatchObject({
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
        failurePolicy: 'Fail',
        namespaceSelector: { matchExpressions: [{ operator: 'NotIn', values: ['kube-system', 'monitoring'] }] },
      });
      expect(webhook.rules.flatMap((rule: { resources: string[] }) => rule.resources)).toEqual(
        expect.arrayContaining(['pods', 'pods/ephemeralcontainers', 'deployments', 'cronjobs']),
      );
      expect(webhook.timeoutSeconds).toBeLessThanOrEqual(30);
      expect(webhook.timeoutSeconds).toBeLessThanOrEqual(fn.Properties.Timeout);
    });
  });

  describe('under cdk-nag AwsSolutions checks', () => {
    it('has no finding left that is not fixed or acknowledged with a reason', () => {
      const report = new AwsSolutionsChecks(app).validateScope(stack);
      expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    });
  });
});

describe('the notary-gate stack with deployment options', () => {
  const app = new App({ context: cdkContext });
  const topicArn = 'arn:aws:sns:eu-west-1:123456789012:notary-gate-alarms';
  const stack = new NotaryGateStack(app, 'NotaryGateOptions', {
    entry,
    alarmTopicArn: topicArn,
    failurePolicy: 'Ignore',
    denialAlarmThreshold: 3,
  });
  const template = Template.fromStack(stack);

  it('notifies the SNS topic from every alarm', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topicArn]);
  });

  it('raises the denial alarm at the threshold given', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DeniedAdmissions', Threshold: 3 });
  });

  it('leaves out the MutatingWebhookConfiguration with mutate: false', () => {
    const off = new NotaryGateStack(new App({ context: cdkContext }), 'NotaryGateNoMutate', { entry, mutate: false });
    const outputs = Template.fromStack(off).toJSON().Outputs;
    expect(outputs[STACK_OUTPUTS.webhookConfiguration]).toBeDefined();
    expect(outputs[STACK_OUTPUTS.mutatingWebhookConfiguration]).toBeUndefined();
  });

  it('writes the failure policy into the webhook configuration output', () => {
    const output = JSON.stringify(template.toJSON().Outputs[STACK_OUTPUTS.webhookConfiguration].Value);
    expect(output).toContain('failurePolicy: Ignore');
  });

  it('ships no policy file and sets no POLICY_FILE without a policy, leaving the built-in default', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn?.Properties.Environment.Variables[ENV.policyFile]).toBeUndefined();
  });

  it('has no reserved concurrency when none is asked for', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn?.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('has a dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('graphs the requests and failures of every signature source by format, without naming the formats', () => {
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(body).toMatch(/SEARCH\('\{NotaryGate,format,service\} MetricName=\W+OriginRequests\W/);
    expect(body).toMatch(/SEARCH\('\{NotaryGate,code,format,service\} MetricName=\W+OriginErrors\W/);
    expect(body).not.toContain('notary-v1');
  });
});
