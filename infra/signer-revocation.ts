import { Validations } from 'aws-cdk-lib';
import { type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The one AWS Signer action the webhook uses: revocation of the AWS Signer signatures it admits. */
export const SIGNER_REVOCATION_ACTIONS = ['signer:GetRevocationStatus'] as const;

export interface SignerRevocationGrantProps {
  readonly role: IRole;
  /** The regions of the signing profiles the policy trusts (`signerRevocationRegions`); at least one. */
  readonly regions: readonly string[];
}

/**
 * Lets the webhook ask AWS Signer whether a signature is revoked, and nothing else of AWS Signer.
 *
 * How narrow IAM allows: GetRevocationStatus has no resource type in the Service Authorization Reference (a
 * revocation check names a profile version, a job and certificate hashes, none of which is a resource of the call),
 * so `Resource` must be `*`. It is narrowed instead by `aws:RequestedRegion` to the regions of the signing
 * profiles the policy trusts: the only signatures that can be admitted are those profiles', and their revocation is
 * asked in their own region. The statement is a policy of its own, so the acknowledgement of the wildcard covers
 * this statement and no other grant of the role.
 */
export class SignerRevocationGrant extends Construct {
  readonly policy: Policy;

  constructor(scope: Construct, id: string, props: SignerRevocationGrantProps) {
    super(scope, id);
    if (props.regions.length === 0) throw new Error('SignerRevocationGrant needs the regions of the trusted profiles');
    this.policy = new Policy(this, 'Policy', {
      statements: [
        new PolicyStatement({
          actions: [...SIGNER_REVOCATION_ACTIONS],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': [...new Set(props.regions)].sort() } },
        }),
      ],
    });
    this.policy.attachToRole(props.role);
    Validations.of(this.policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'signer:GetRevocationStatus supports no resource-level permissions (Service Authorization Reference: no ' +
        'resource type), so Resource must be "*"; the statement is limited to that one read action and, by ' +
        'aws:RequestedRegion, to the regions of the signing profiles the policy trusts.',
    });
  }
}
