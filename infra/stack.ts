import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { STACK_OUTPUTS } from '../shared/webhook-config/stack-outputs';
import { NotaryGate, type NotaryGateProps } from './notary-gate';

export interface NotaryGateStackProps extends StackProps, Omit<NotaryGateProps, 'reservedConcurrency'> {
  /** Cap on concurrent executions; absent: uncapped (the CDK app passes its setting, default 50). */
  readonly reservedConcurrency?: number;
}

/**
 * The `NotaryGate` construct in a stack of its own, with the outputs `notary-gate webhook-config --stack` and
 * `notary-gate decisions --stack` read (shared/webhook-config/stack-outputs.ts).
 */
export class NotaryGateStack extends Stack {
  readonly gate: NotaryGate;

  constructor(scope: Construct, id: string, props: NotaryGateStackProps = {}) {
    super(scope, id, {
      description: 'notary-gate: admits only container images whose digests are signed',
      ...props,
    });
    this.gate = new NotaryGate(this, 'Gate', { ...props, reservedConcurrency: props.reservedConcurrency ?? null });
    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    output(
      STACK_OUTPUTS.webhookConfiguration,
      this.gate.webhookConfiguration,
      'ValidatingWebhookConfiguration (token placeholder)',
    );
    if (this.gate.mutatingWebhookConfiguration !== undefined) {
      output(
        STACK_OUTPUTS.mutatingWebhookConfiguration,
        this.gate.mutatingWebhookConfiguration,
        'MutatingWebhookConfiguration (token placeholder): pins tag-only images to their verified digests',
      );
    }
    output(STACK_OUTPUTS.functionUrl, this.gate.functionUrl, 'Webhook function URL');
    output(
      STACK_OUTPUTS.tokenSecretArn,
      this.gate.tokenSecret.secretArn,
      'Secrets Manager secret holding the path token',
    );
    output(STACK_OUTPUTS.cacheTableName, this.gate.cacheTable.tableName, 'DynamoDB trust cache table');
    output(STACK_OUTPUTS.logGroupName, this.gate.logGroup.logGroupName, 'Decision log group');
  }

  /** The webhook function construct of the gate. */
  get webhook() {
    return this.gate.webhook;
  }
}
