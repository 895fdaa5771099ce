/**
 * What a deployment must allow for AWS Signer revocation, read from the Notation trust policies it ships: the
 * regions GetRevocationStatus is called in, and the IAM statement that allows exactly that. Only signatures whose
 * profile matches a trusted identity can be admitted, so only the regions of the trusted signing-profile ARNs matter;
 * a statement that skips revocation (level `skip`, or `override: { revocation: skip }`) makes no calls and needs
 * nothing. The Notation format module hands the statement to `cdk synth` (its `awsPermissions`).
 */
import type { AwsPermission } from '../../verify/format';
// Types only: the Notation module's light half uses this at `cdk synth`; the trust policy is parsed already.
import type { TrustPolicyDocument } from '../policy/trust-policy';
import { parseSigningProfileArn } from './arn';

/** The one AWS Signer action the webhook uses: revocation of the AWS Signer signatures it admits. */
export const SIGNER_REVOCATION_ACTIONS = ['signer:GetRevocationStatus'] as const;

/** The regions (sorted, each once) of the signing profiles a trust policy trusts with revocation on. */
export function signerRevocationRegions(trustPolicy: TrustPolicyDocument): string[] {
  const regions = new Set<string>();
  for (const statement of trustPolicy.trustPolicies) {
    if (statement.actions.revocation === 'skip') continue;
    for (const identity of statement.trustedIdentityStrings) {
      const arn = parseSigningProfileArn(identity);
      if (arn) regions.add(arn.region);
    }
  }
  return [...regions].sort();
}

/**
 * signer:GetRevocationStatus in `regions`. It has no resource type in the Service Authorization Reference (a
 * revocation check names a profile version, a job and certificate hashes, none of which is a resource of the call),
 * so `Resource` must be `*`; it is narrowed instead by `aws:RequestedRegion` to the regions of the trusted profiles,
 * whose revocation is asked in their own region.
 */
export function signerRevocationPermission(regions: readonly string[]): AwsPermission {
  return {
    actions: [...SIGNER_REVOCATION_ACTIONS],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:RequestedRegion': [...new Set(regions)].sort() } },
    wildcardReason:
      'signer:GetRevocationStatus supports no resource-level permissions (Service Authorization Reference: no ' +
      'resource type), so Resource must be "*"; the statement is limited to that one read action and, by ' +
      'aws:RequestedRegion, to the regions of the signing profiles the policy trusts.',
  };
}

/** What the trust policy needs of AWS Signer: one statement for its regions, or nothing. */
export function signerRevocationPermissions(trustPolicy: TrustPolicyDocument): AwsPermission[] {
  const regions = signerRevocationRegions(trustPolicy);
  return regions.length === 0 ? [] : [signerRevocationPermission(regions)];
}
