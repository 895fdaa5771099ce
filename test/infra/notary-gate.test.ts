import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { NotaryGate } from '../../infra';
import { ENV } from '../../shared/constants';

// The same feature flags as `npx cdk synth`; a stand-in handler keeps the test off the webhook's own bundle.
const cdkContext = JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8')).context;
const entry = join(__dirname, 'fixtures/handler.ts');

/** A user's own CDK app and stack, with the construct in it: what the package's library is for. */
describe('the NotaryGate construct in a stack of the user', () => {
  const app = new App({ context: cdkContext });
  const stack = new Stack(app, 'Cluster');
  const gate = new NotaryGate(stack, 'Gate', {
    entry,
    policyFile: join(__dirname, 'fixtures/policy/policy.yaml'),
    excludedNamespaces: ['monitoring'],
  });
  const template = Template.fromStack(stack);

  it('deploys the function with the staged policy, the cache table, the token secret and the alarms', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn?.Properties.Environment.Variables[ENV.policyFile]).toBe('/var/task/policy/policy.json');
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(0);
  });

  it('leaves source maps off by default (they cost every cold start), and on with sourceMaps', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn?.Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    const withMaps = new Stack(new App({ context: cdkContext }), 'WithMaps');
    new NotaryGate(withMaps, 'Gate', { entry, sourceMaps: true });
    const [mapped] = Object.values(Template.fromStack(withMaps).findResources('AWS::Lambda::Function'));
    expect(mapped?.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('caps concurrency at the documented default', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn?.Properties.ReservedConcurrentExecutions).toBe(50);
  });

  it('exposes the webhook configuration (token placeholder) and the parts a user wires further', () => {
    expect(gate.webhookConfiguration).toContain('<WEBHOOK_TOKEN>');
    expect(gate.webhookConfiguration).toContain('monitoring');
    expect(stack.resolve(gate.cacheTable.tableName)).toEqual({ Ref: expect.any(String) });
    expect(gate.function).toBeDefined();
  });

  it('refuses a policy that does not load, with the loader message naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'notary-gate-construct-'));
    try {
      const file = join(dir, 'policy.yaml');
      writeFileSync(file, 'rules: [{match: ["**"], action: maybe}]\n');
      expect(() => new NotaryGate(new Stack(new App(), 'Bad'), 'Gate', { entry, policyFile: file })).toThrow(
        /rules\[0\]\.action/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
