import { SIGNER_REVOCATION_ACTIONS, signerRevocationPermission } from '../shared/notation/aws-signer/deployment';
import type { AwsPermission } from '../shared/verify/format';

export { SIGNER_REVOCATION_ACTIONS };

const isSignerRevocation = (permission: AwsPermission) =>
  permission.actions.length === SIGNER_REVOCATION_ACTIONS.length &&
  SIGNER_REVOCATION_ACTIONS.every((action) => permission.actions.includes(action));

/**
 * The AWS permissions with the `signerRevocationRegions` prop applied. Absent, the GetRevocationStatus statements
 * `cdk synth` derived from the policy's Notation trust policies (the regions of the signing profiles they trust;
 * shared/notation/aws-signer/deployment.ts) stay as they are. Given, it replaces them: one statement for exactly
 * those regions, or none for `[]`.
 */
export function withSignerRevocationRegions(
  permissions: readonly AwsPermission[],
  regions: readonly string[] | undefined,
): AwsPermission[] {
  if (regions === undefined) return [...permissions];
  const others = permissions.filter((permission) => !isSignerRevocation(permission));
  return regions.length === 0 ? others : [...others, signerRevocationPermission(regions)];
}
