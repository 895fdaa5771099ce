import { Validations } from 'aws-cdk-lib';
import { type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** ECR auth: a registry token for the account's registries in one region (shared/registry/ecr-auth.ts). */
export const ECR_TOKEN_ACTIONS = ['ecr:GetAuthorizationToken'] as const;
/** Reading manifests and blobs (layer redirects), nothing that writes or lists. */
export const ECR_PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const;

export interface EcrPullGrantProps {
  readonly role: IRole;
  /** The repository ARNs (or ARN patterns) the policy verifies images of (`ecrRepositoryArns`); at least one. */
  readonly repositoryArns: readonly string[];
}

/**
 * Lets the webhook pull from the ECR repositories the policy verifies, and nothing else of ECR.
 *
 * ecr:GetAuthorizationToken has no resource type in the Service Authorization Reference, so its `Resource` must be
 * `*`; the token it returns is only as good as the pull permissions, which are limited to the repository ARNs the
 * policy's globs imply (ecr-pull-scope.ts). The statements are a policy of their own, so the acknowledgements of
 * the wildcards cover these statements and no other grant of the role.
 */
export class EcrPullGrant extends Construct {
  readonly policy: Policy;

  constructor(scope: Construct, id: string, props: EcrPullGrantProps) {
    super(scope, id);
    const arns = [...new Set(props.repositoryArns)].sort();
    if (arns.length === 0) throw new Error('EcrPullGrant needs the repositories the policy verifies');
    this.policy = new Policy(this, 'Policy', {
      statements: [
        new PolicyStatement({ actions: [...ECR_TOKEN_ACTIONS], resources: ['*'] }),
        new PolicyStatement({ actions: [...ECR_PULL_ACTIONS], resources: arns }),
      ],
    });
    this.policy.attachToRole(props.role);
    const validations = Validations.of(this.policy);
    validations.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken supports no resource-level permissions (Service Authorization Reference: no ' +
        'resource type), so Resource must be "*"; what the token can read is limited by the pull statement.',
    });
    for (const arn of arns.filter((value) => value.includes('*') && value !== '*')) {
      validations.acknowledge({
        id: `AwsSolutions-IAM5[Resource::${arn}]`,
        reason:
          'The policy verifies images whose names match a glob: the repository ARN is narrowed to the literal ' +
          'prefix of the glob (and to its account and region where the glob names them); docs/registry.md.',
      });
    }
  }
}
