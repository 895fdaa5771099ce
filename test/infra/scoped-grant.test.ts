import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { grantIdOf, ScopedGrant } from '../../infra/scoped-grant';
import type { AwsPermission } from '../../shared/verify/format';

const READ_ANYWHERE: AwsPermission = { actions: ['signer:GetRevocationStatus'], resources: ['*'] };

function grant(permissions: readonly AwsPermission[]) {
  const app = new App();
  const stack = new Stack(app, 'Grants');
  const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  new ScopedGrant(stack, 'Grant', { role, permissions });
  const findings = () => new AwsSolutionsChecks(app).validateScope(stack).violations;
  return { template: Template.fromStack(stack), findings };
}

describe('a scoped grant', () => {
  it('is one IAM policy on the role holding the statements with their conditions', () => {
    const { template } = grant([
      { ...READ_ANYWHERE, conditions: { StringEquals: { 'aws:RequestedRegion': ['us-west-2'] } }, wildcardReason: 'r' },
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'signer:GetRevocationStatus',
            Resource: '*',
            Condition: { StringEquals: { 'aws:RequestedRegion': ['us-west-2'] } },
          },
        ],
      },
    });
  });

  it('acknowledges a wildcard with the reason its permission gives, and leaves one without a reason a finding', () => {
    expect(grant([{ ...READ_ANYWHERE, wildcardReason: 'no resource type' }]).findings()).toEqual([]);
    expect(
      grant([READ_ANYWHERE])
        .findings()
        .map((finding) => finding.ruleName),
    ).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });

  it('refuses to let one permission’s reason hide another’s unexplained wildcard in the same policy', () => {
    expect(() =>
      grant([
        { ...READ_ANYWHERE, wildcardReason: 'why' },
        { actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
      ]),
    ).toThrow(/ecr:GetAuthorizationToken on \* needs its own grant or a reason/);
  });

  it('is refused without permissions', () => {
    expect(() => grant([])).toThrow(/at least one permission/);
  });

  it('has an id of its first action and its statement: stable, and distinct for distinct statements', () => {
    const inUsWest2 = { ...READ_ANYWHERE, conditions: { StringEquals: { 'aws:RequestedRegion': ['us-west-2'] } } };
    expect(grantIdOf(inUsWest2)).toMatch(/^signerGetRevocationStatus[0-9a-f]{8}$/);
    expect(grantIdOf(inUsWest2)).toBe(grantIdOf({ ...inUsWest2, wildcardReason: 'reasons do not change the id' }));
    expect(grantIdOf(inUsWest2)).not.toBe(grantIdOf(READ_ANYWHERE));
  });
});
