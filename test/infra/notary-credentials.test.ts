import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stagePolicy } from '../../infra/policy-bundle';
import { NotaryGateStack } from '../../infra/stack';
import { validatePolicyFile } from '../../infra/validate-policy';
import { InvalidPolicyError } from '../../shared/errors';

const ROOT = join(__dirname, '../..');
const cdkContext = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;
const entry = join(__dirname, 'fixtures/handler.ts');
const PRIVATE_NOTARY_EXAMPLE = join(ROOT, 'infra/examples/policy-private-notary.yaml');
const EXAMPLE_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:notary-gate/notary-pull-AbCdEf';
const ARN_A = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:notary-a-AbCdEf';
const ARN_B = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:notary-b-XyZ012';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

function withPolicyFile(text: string, use: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'notary-gate-credentials-policy-'));
  writeFileSync(join(dir, 'policy.yaml'), text);
  return use(join(dir, 'policy.yaml')).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const rule = (host: string, auth: string) =>
  `  - match: ["${host}/**"]\n    notary: { server: "https://${host}", auth: ${auth} }`;

function statementsOf(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

describe('deploying a policy with Notary credentials', () => {
  describe('validatePolicyFile', () => {
    it('accepts secretArn credentials and returns the ARNs the function must read, each once', async () => {
      await withPolicyFile(
        [
          'rules:',
          rule('a.example', `{ secretArn: "${ARN_A}" }`),
          rule('b.example', `{ secretArn: "${ARN_B}" }`),
          rule('c.example', `{ secretArn: "${ARN_A}" }`),
        ].join('\n'),
        async (file) => {
          await expect(validatePolicyFile(file)).resolves.toEqual({
            secretArns: [ARN_A, ARN_B],
            awsPermissions: [],
            ecrRepositoryArns: [],
          });
        },
      );
    });

    it('returns no ARN for a policy with anonymous Notary access', async () => {
      await expect(validatePolicyFile(join(ROOT, 'infra/examples/policy.yaml'))).resolves.toEqual({
        secretArns: [],
        awsPermissions: [],
        ecrRepositoryArns: [],
      });
    });

    it('refuses usernameEnv/passwordEnv, naming the rule and the variables and pointing to secretArn', async () => {
      const error = await validatePolicyFile(join(ROOT, 'examples/policy.yaml'), 'examples/policy.yaml').catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(InvalidPolicyError);
      expect((error as Error).message).toMatch(
        /^invalid policy for deployment \(examples\/policy\.yaml\): rules\[0\]\.notary\.auth \(NOTARY_USERNAME, NOTARY_PASSWORD\) reads credentials from environment variables, .*give auth: \{ secretArn: <its ARN> \}/,
      );
    });

    it('refuses a policy that mixes both forms, naming only the rule that uses variables', async () => {
      await withPolicyFile(
        [
          'rules:',
          rule('a.example', `{ secretArn: "${ARN_A}" }`),
          rule('b.example', '{ username: bot, passwordEnv: PW }'),
        ].join('\n'),
        async (file) => {
          await expect(validatePolicyFile(file)).rejects.toThrow(/: rules\[1\]\.notary\.auth \(PW\) reads credentials/);
        },
      );
    });
  });

  describe('the stack, from the private Notary example (infra/examples/policy-private-notary.yaml)', () => {
    let template: Template;
    let stack: NotaryGateStack;
    let app: App;

    beforeAll(async () => {
      const policy = stagePolicy(PRIVATE_NOTARY_EXAMPLE);
      const { secretArns } = await validatePolicyFile(policy.file, PRIVATE_NOTARY_EXAMPLE);
      app = new App({ context: cdkContext });
      stack = new NotaryGateStack(app, 'NotaryGatePrivateNotary', { entry, policy, secretArns });
      template = Template.fromStack(stack);
    });

    it('grants GetSecretValue on exactly the secret the policy names, and nothing more on it', () => {
      const onSecret = statementsOf(template).filter((statement) =>
        JSON.stringify(statement.Resource).includes(EXAMPLE_ARN),
      );
      expect(onSecret).toEqual([{ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: EXAMPLE_ARN }]);
    });

    it('lets the function read no other secret than that one and its own path token', () => {
      const secretStatements = statementsOf(template).filter((statement) =>
        [statement.Action].flat().some((action) => action.startsWith('secretsmanager:')),
      );
      const [tokenId] = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
      const resources = secretStatements.flatMap((statement) => [statement.Resource].flat());
      expect(resources).toEqual(expect.arrayContaining([EXAMPLE_ARN, { Ref: tokenId }]));
      expect(resources).toHaveLength(2);
    });

    it('puts no credential in the function environment', () => {
      const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
      const variables = JSON.stringify(fn?.Properties.Environment.Variables);
      expect(variables).not.toContain(EXAMPLE_ARN);
      expect(variables).not.toMatch(/PASSWORD|USERNAME/i);
    });

    it('has no cdk-nag finding from the grant', () => {
      const report = new AwsSolutionsChecks(app).validateScope(stack);
      expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    });
  });

  describe('docs/deploy.md', () => {
    it('shows the secret form with the ARN of the example these tests deploy', () => {
      const docs = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
      expect(readFileSync(PRIVATE_NOTARY_EXAMPLE, 'utf8')).toContain(`secretArn: ${EXAMPLE_ARN}`);
      expect(docs).toContain(`secretArn: ${EXAMPLE_ARN}`);
      expect(docs).toContain('infra/examples/policy-private-notary.yaml');
    });
  });

  describe('the stack without credential secrets', () => {
    it('grants no secret read beyond its own path token', () => {
      const stack = new NotaryGateStack(new App({ context: cdkContext }), 'NotaryGateAnonymous', { entry });
      const resources = statementsOf(Template.fromStack(stack))
        .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('secretsmanager:')))
        .flatMap((statement) => [statement.Resource].flat());
      expect(resources).toHaveLength(1);
      expect(resources[0]).toHaveProperty('Ref');
    });
  });
});
