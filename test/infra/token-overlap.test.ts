import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { NotaryGate } from '../../infra';
import { ENV } from '../../shared/constants';

// The same feature flags as `npx cdk synth`; a stand-in handler keeps the test off the webhook's own bundle.
const cdkContext = JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8')).context;
const entry = join(__dirname, 'fixtures/handler.ts');
const policyFile = join(__dirname, 'fixtures/policy/policy.yaml');

/** The function's environment variables, as synthesized from the construct with these props. */
function environmentWith(props: { tokenOverlap?: Duration }): Record<string, unknown> {
  const stack = new Stack(new App({ context: cdkContext }), 'Cluster');
  new NotaryGate(stack, 'Gate', { entry, policyFile, ...props });
  const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  return fn?.Properties.Environment.Variables ?? {};
}

/** `tokenOverlap` (docs/deploy.md, "Rotating the token") is what the webhook reads as WEBHOOK_TOKEN_OVERLAP_SECONDS. */
describe('the tokenOverlap prop', () => {
  it('reaches the function environment in whole seconds', () => {
    const env = environmentWith({ tokenOverlap: Duration.hours(6) });
    expect(env[ENV.webhookTokenOverlapSeconds]).toBe('21600');
    expect(env[ENV.webhookTokenSecretArn]).toEqual({ Ref: expect.any(String) });
  });

  it('passes 0 (no overlap) through rather than dropping it', () => {
    expect(environmentWith({ tokenOverlap: Duration.seconds(0) })[ENV.webhookTokenOverlapSeconds]).toBe('0');
  });

  it("leaves the variable out when absent, so the runtime's default (one hour) applies", () => {
    expect(environmentWith({})).not.toHaveProperty(ENV.webhookTokenOverlapSeconds);
  });

  it('refuses more than 7 days at synth, not at the first rotation', () => {
    expect(() => environmentWith({ tokenOverlap: Duration.days(8) })).toThrow(/tokenOverlap must be whole seconds/);
  });
});
