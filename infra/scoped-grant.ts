import { createHash } from 'node:crypto';
import { Validations } from 'aws-cdk-lib';
import { type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { AwsPermission } from '../shared/verify/format';

export interface ScopedGrantProps {
  readonly role: IRole;
  /** The statements, as narrow as IAM allows; at least one. */
  readonly permissions: readonly AwsPermission[];
}

/**
 * AWS permissions granted to a role as an IAM policy of its own, so that the cdk-nag findings of the wildcards IAM
 * forces on them (`AwsSolutions-IAM5[Resource::<wildcard>]`) are acknowledged on these statements and no other grant
 * of the role, each with the reason its permission gives (`wildcardReason`). A wildcard given without a reason is
 * left a finding: the nag test of the stack fails on it. Every AWS grant of the webhook beyond its log group, table
 * and secrets is one of these: ECR pulls (ecr-pull-grant.ts) and each format's `awsPermissions` (AWS Signer
 * revocation: shared/notation/aws-signer/deployment.ts).
 */
export class ScopedGrant extends Construct {
  readonly policy: Policy;

  constructor(scope: Construct, id: string, props: ScopedGrantProps) {
    super(scope, id);
    if (props.permissions.length === 0) throw new Error(`${id}: a grant needs at least one permission`);
    this.policy = new Policy(this, 'Policy', {
      statements: props.permissions.map(
        (permission) =>
          new PolicyStatement({
            actions: [...permission.actions],
            resources: [...permission.resources],
            ...(permission.conditions && { conditions: structuredClone(permission.conditions) }),
          }),
      ),
    });
    this.policy.attachToRole(props.role);
    const validations = Validations.of(this.policy);
    const acknowledged = wildcardReasons(props.permissions);
    // An acknowledgement covers the whole policy: it must not also cover a statement that gave no reason.
    for (const permission of props.permissions.filter((p) => p.wildcardReason === undefined)) {
      const hidden = permission.resources.find((resource) => acknowledged.has(resource));
      if (hidden !== undefined) {
        throw new Error(`${id}: ${permission.actions.join(', ')} on ${hidden} needs its own grant or a reason`);
      }
    }
    for (const [resource, reasons] of acknowledged) {
      validations.acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason: reasons.join(' ') });
    }
  }
}

/** Each wildcard resource of the permissions that give a reason, with the reasons (each once) of those that use it. */
function wildcardReasons(permissions: readonly AwsPermission[]): Map<string, string[]> {
  const reasons = new Map<string, string[]>();
  for (const permission of permissions) {
    if (permission.wildcardReason === undefined) continue;
    for (const resource of permission.resources.filter((value) => value.includes('*'))) {
      const list = reasons.get(resource) ?? [];
      if (!list.includes(permission.wildcardReason)) list.push(permission.wildcardReason);
      reasons.set(resource, list);
    }
  }
  return reasons;
}

/**
 * A construct id for a permission's own grant, stable across synths and independent of rule order: the first
 * action's name and a short hash of the statement.
 */
export function grantIdOf(permission: AwsPermission): string {
  const statement = JSON.stringify([permission.actions, permission.resources, permission.conditions ?? {}]);
  const action = (permission.actions[0] ?? 'Grant').replace(/[^A-Za-z0-9]/g, '');
  return `${action}${createHash('sha256').update(statement).digest('hex').slice(0, 8)}`;
}
