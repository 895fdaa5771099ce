import { Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';

/**
 * The cdk-nag (AwsSolutions) findings this stack keeps on purpose, each on the one resource it concerns and with the
 * reason. Everything else is fixed in the constructs (e.g. the function's own role instead of the
 * AWSLambdaBasicExecutionRole managed policy); a test fails on any finding not acknowledged here.
 */
export function acknowledgeNagFindings(parts: { table: Table; token: Secret }): void {
  Validations.of(parts.table).acknowledge({
    id: 'AwsSolutions-DDB3',
    reason:
      'The table is a cache of verified Notary trust data with TTLs of minutes to hours; every item is rebuilt ' +
      'from Notary on a miss, so point-in-time recovery would restore nothing of value.',
  });
  Validations.of(parts.token).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      "The path token is also in the cluster's ValidatingWebhookConfiguration; rotating the secret alone would " +
      "make the apiserver's calls fail (and, with failurePolicy Fail, block admissions). Rotation is a documented " +
      'manual step that updates both (docs/deploy.md).',
  });
}
