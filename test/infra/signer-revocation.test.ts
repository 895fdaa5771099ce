import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { NotaryGateStack } from '../../infra/stack';
import { signerRevocationRegions } from '../../shared/notation/aws-signer/deployment';

const cdkContext = JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8')).context;
const entry = join(__dirname, 'fixtures/handler.ts');

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
// biome-ignore lint/suspicious/noExplicitAny: synthesized template JSON
type CfnPolicy = { Properties: Record<string, any> };

function policiesOf(template: Template): CfnPolicy[] {
  return Object.values(template.findResources('AWS::IAM::Policy')) as CfnPolicy[];
}
function signerStatements(template: Template): Statement[] {
  return policiesOf(template)
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('signer:')));
}

describe('AWS Signer revocation in the stack', () => {
  describe('with a policy that trusts AWS Signer profiles in two regions', () => {
    const app = new App({ context: cdkContext });
    const stack = new NotaryGateStack(app, 'NotaryGateSigner', {
      entry,
      signerRevocationRegions: ['us-west-2', 'eu-central-1', 'us-west-2'],
    });
    const template = Template.fromStack(stack);

    it('grants signer:GetRevocationStatus alone, limited to those regions (IAM allows no narrower resource)', () => {
      expect(signerStatements(template)).toEqual([
        {
          Action: 'signer:GetRevocationStatus',
          Effect: 'Allow',
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-central-1', 'us-west-2'] } },
        },
      ]);
    });

    it("attaches it to the webhook function's role", () => {
      const roleRef = stack.resolve((stack.webhook.function.role as Role).roleName);
      const withSigner = policiesOf(template).filter((policy) =>
        JSON.stringify(policy.Properties.PolicyDocument).includes('signer:'),
      );
      expect(withSigner).toHaveLength(1);
      expect(withSigner[0]!.Properties.Roles).toEqual([roleRef]);
    });

    it('has no unacknowledged cdk-nag finding; the wildcard is acknowledged on that statement only', () => {
      const report = new AwsSolutionsChecks(app).validateScope(stack);
      expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    });
  });

  describe("with the walkthrough's trust policy (examples/aws-signer)", () => {
    it('grants GetRevocationStatus in us-west-2, the region of its profile', () => {
      const trustPolicy = JSON.parse(
        readFileSync(join(__dirname, '../../examples/aws-signer/trustpolicy.json'), 'utf8'),
      );
      const stack = new NotaryGateStack(new App({ context: cdkContext }), 'NotaryGateWalkthrough', {
        entry,
        signerRevocationRegions: signerRevocationRegions(trustPolicy),
      });
      expect(signerStatements(Template.fromStack(stack))).toEqual([
        expect.objectContaining({ Condition: { StringEquals: { 'aws:RequestedRegion': ['us-west-2'] } } }),
      ]);
    });
  });

  describe('with a policy that trusts no AWS Signer profile', () => {
    it('grants nothing of AWS Signer', () => {
      const stack = new NotaryGateStack(new App({ context: cdkContext }), 'NotaryGatePlain', { entry });
      expect(signerStatements(Template.fromStack(stack))).toEqual([]);
    });
  });
});
