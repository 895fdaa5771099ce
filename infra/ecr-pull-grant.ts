import type { AwsPermission } from '../shared/verify/format';

/** ECR auth: a registry token for the account's registries in one region (shared/registry/ecr-auth.ts). */
export const ECR_TOKEN_ACTIONS = ['ecr:GetAuthorizationToken'] as const;
/** Reading manifests and blobs (layer redirects), nothing that writes or lists. */
export const ECR_PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const;

/**
 * What the webhook needs to pull from the ECR repositories the policy verifies (`ecrRepositoryArns`, at least one),
 * and nothing else of ECR; granted as one policy of its own (scoped-grant.ts).
 *
 * ecr:GetAuthorizationToken has no resource type in the Service Authorization Reference, so its `Resource` must be
 * `*`; the token it returns is only as good as the pull permissions, which are limited to the repository ARNs the
 * policy's globs imply (ecr-pull-scope.ts).
 */
export function ecrPullPermissions(repositoryArns: readonly string[]): AwsPermission[] {
  const arns = [...new Set(repositoryArns)].sort();
  if (arns.length === 0) throw new Error('ECR pulls need the repositories the policy verifies');
  return [
    {
      actions: [...ECR_TOKEN_ACTIONS],
      resources: ['*'],
      wildcardReason:
        'ecr:GetAuthorizationToken supports no resource-level permissions (Service Authorization Reference: no ' +
        'resource type), so Resource must be "*"; what the token can read is limited by the pull statement.',
    },
    {
      actions: [...ECR_PULL_ACTIONS],
      resources: arns,
      wildcardReason:
        'The policy verifies images whose names match a glob: the repository ARN is narrowed to the literal ' +
        'prefix of the glob (and to its account and region where the glob names them); docs/registry.md.',
    },
  ];
}
