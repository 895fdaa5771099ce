import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { NotaryGateStack } from '../../infra/stack';

const cdkContext = JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8')).context;
const entry = join(__dirname, 'fixtures/handler.ts');
const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

type Statement = { Action: string | string[]; Resource: unknown };
function ecrStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('ecr:')));
}

describe('ECR pulls in the stack', () => {
  describe('with a policy that verifies ECR images', () => {
    // From the policy file, as `cdk synth -c policy=...` does: verify rules on an ECR host (one repository, one
    // prefix), an allow rule there (reads nothing), and `**` narrowed by the ECR host `registries:` names.
    const dir = mkdtempSync(join(tmpdir(), 'ecr-grant-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const policyFile = join(dir, 'policy.yaml');
    const notary = 'notary: { server: "https://notary.example.com" }';
    writeFileSync(
      policyFile,
      [
        'registries:',
        '  "222222222222.dkr.ecr.us-east-1.amazonaws.com": {}',
        'rules:',
        `  - match: ["${HOST}/team/*", "${HOST}/payments/api"]`,
        `    ${notary}`,
        `  - match: ["${HOST}/base"]`,
        '    action: allow',
        '  - match: ["**"]',
        `    ${notary}`,
      ].join('\n'),
    );
    const app = new App({ context: cdkContext });
    const stack = new NotaryGateStack(app, 'NotaryGateEcr', { entry, policyFile });
    const template = Template.fromStack(stack);

    it("grants the ECR token on * and pulls on exactly those repositories, in a policy of the function's role", () => {
      const roleRef = stack.resolve((stack.gate.webhook.function.role as Role).roleName);
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [roleRef],
        PolicyDocument: {
          Statement: [
            { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
            {
              Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
              Effect: 'Allow',
              Resource: [
                'arn:aws:ecr:eu-west-1:123456789012:repository/payments/api',
                'arn:aws:ecr:eu-west-1:123456789012:repository/team/*',
                'arn:aws:ecr:us-east-1:222222222222:repository/*',
              ],
            },
          ],
        },
      });
      expect(ecrStatements(template)).toHaveLength(2);
      template.resourcePropertiesCountIs(
        'AWS::IAM::Policy',
        { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ecr:GetAuthorizationToken' })]) } },
        1,
      );
    });

    it('has no unacknowledged cdk-nag finding (the token wildcard and the repository prefixes are acknowledged)', () => {
      const report = new AwsSolutionsChecks(app).validateScope(stack);
      expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    });
  });

  it('grants nothing of ECR for a policy that names no ECR host', () => {
    const stack = new NotaryGateStack(new App({ context: cdkContext }), 'NotaryGateNoEcr', {
      entry,
      ecrRepositoryArns: [],
    });
    expect(ecrStatements(Template.fromStack(stack))).toEqual([]);
  });
});
