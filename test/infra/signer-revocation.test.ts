import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { NotaryGateStack, type NotaryGateStackProps } from '../../infra/stack';

const cdkContext = JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8')).context;
const entry = join(__dirname, 'fixtures/handler.ts');
const WALKTHROUGH_POLICY = join(__dirname, '../../examples/aws-signer/policy.yaml');

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
const revocationIn = (regions: string[]): Statement => ({
  Action: 'signer:GetRevocationStatus',
  Effect: 'Allow',
  Resource: '*',
  Condition: { StringEquals: { 'aws:RequestedRegion': regions } },
});

function synth(id: string, props: NotaryGateStackProps) {
  const app = new App({ context: cdkContext });
  const stack = new NotaryGateStack(app, id, { entry, ...props });
  return { app, stack, template: Template.fromStack(stack) };
}

const nagViolations = ({ app, stack }: ReturnType<typeof synth>) =>
  new AwsSolutionsChecks(app).validateScope(stack).violations.map((violation) => violation.ruleName);

/** A policy folder: one verify rule per trust policy, each trust policy trusting the given profile ARNs. */
function writePolicy(dir: string, trustPolicies: { identities: string[]; revocation?: 'skip' }[]): string {
  const rules = trustPolicies.map(({ identities, revocation }, index) => {
    writeFileSync(
      join(dir, `trustpolicy-${index}.json`),
      JSON.stringify({
        version: '1.0',
        trustPolicies: [
          {
            name: `p${index}`,
            registryScopes: ['*'],
            signatureVerification: { level: 'strict', ...(revocation && { override: { revocation } }) },
            trustStores: ['signingAuthority:aws-signer-ts'],
            trustedIdentities: identities,
          },
        ],
      }),
    );
    return [
      `  - match: ["registry.example.com/team${index}/**"]`,
      `    notation: { trustPolicy: ./trustpolicy-${index}.json }`,
    ].join('\n');
  });
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, ['rules:', ...rules, ''].join('\n'));
  return file;
}

const profile = (region: string, name = 'app') => `arn:aws:signer:${region}:123456789012:/signing-profiles/${name}`;

describe('AWS Signer revocation in the stack', () => {
  describe("derived by cdk synth from the walkthrough's policy file (examples/aws-signer)", () => {
    const synthesized = synth('NotaryGateWalkthrough', { policyFile: WALKTHROUGH_POLICY });

    it('grants signer:GetRevocationStatus alone, in us-west-2 only, the region of its trusted profile', () => {
      expect(signerStatements(synthesized.template)).toEqual([revocationIn(['us-west-2'])]);
    });

    it("is a policy of its own on the webhook function's role", () => {
      const roleRef = synthesized.stack.resolve((synthesized.stack.webhook.function.role as Role).roleName);
      const withSigner = policiesOf(synthesized.template).filter((policy) =>
        JSON.stringify(policy.Properties.PolicyDocument).includes('signer:'),
      );
      expect(withSigner).toHaveLength(1);
      expect(withSigner[0]!.Properties.Roles).toEqual([roleRef]);
      expect(withSigner[0]!.Properties.PolicyDocument.Statement).toHaveLength(1);
    });

    it('has no unacknowledged cdk-nag finding (the Signer and ECR token wildcards, each acknowledged on its own policy)', () => {
      expect(nagViolations(synthesized)).toEqual([]);
    });
  });

  describe('derived from a policy whose trust policies trust profiles in several regions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signer-grant-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const policyFile = writePolicy(dir, [
      { identities: [profile('us-west-2'), `${profile('eu-central-1', 'web')}/V1`] },
      { identities: [profile('us-west-2')] },
      { identities: [profile('ap-southeast-2')], revocation: 'skip' },
    ]);

    it('grants one statement per trust policy that asks, each in its regions; none where revocation is skipped', () => {
      expect(
        signerStatements(synth('NotaryGateRegions', { policyFile }).template).sort((a, b) =>
          JSON.stringify(a).localeCompare(JSON.stringify(b)),
        ),
      ).toEqual([revocationIn(['eu-central-1', 'us-west-2']), revocationIn(['us-west-2'])]);
    });

    it('takes the signerRevocationRegions prop instead, when given', () => {
      expect(
        signerStatements(
          synth('NotaryGateOverride', { policyFile, signerRevocationRegions: ['us-east-1', 'eu-west-1', 'us-east-1'] })
            .template,
        ),
      ).toEqual([revocationIn(['eu-west-1', 'us-east-1'])]);
      expect(
        signerStatements(synth('NotaryGateNoSigner', { policyFile, signerRevocationRegions: [] }).template),
      ).toEqual([]);
    });
  });

  describe('given only as the prop (no policy file)', () => {
    const synthesized = synth('NotaryGateSigner', { signerRevocationRegions: ['us-west-2', 'eu-central-1'] });

    it('grants GetRevocationStatus in those regions, and cdk-nag stays clean', () => {
      expect(signerStatements(synthesized.template)).toEqual([revocationIn(['eu-central-1', 'us-west-2'])]);
      expect(nagViolations(synthesized)).toEqual([]);
    });
  });

  it('grants nothing of AWS Signer to a policy that trusts no AWS Signer profile', () => {
    expect(signerStatements(synth('NotaryGatePlain', {}).template)).toEqual([]);
  });
});
