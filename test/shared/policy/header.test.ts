import { InvalidPolicyError } from '../../../shared/errors';
import { loadPolicy } from '../../../shared/policy/load';

async function refusal(text: string): Promise<string> {
  try {
    await loadPolicy({ text });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPolicyError);
    return (error as Error).message;
  }
  throw new Error('expected the policy to be refused');
}

describe('the policy header (apiVersion: notary-gate/v1, kind: Policy)', () => {
  it.each([
    ['both', 'apiVersion: notary-gate/v1\nkind: Policy\ndefaultAction: allow\n'],
    ['apiVersion only', 'apiVersion: notary-gate/v1\ndefaultAction: allow\n'],
    ['kind only', 'kind: Policy\ndefaultAction: allow\n'],
    ['JSON', '{"apiVersion": "notary-gate/v1", "kind": "Policy", "defaultAction": "allow"}'],
  ])('is accepted (%s) and loads as the same policy without it', async (_what, text) => {
    const withHeader = await loadPolicy({ text });
    expect(withHeader).toEqual(await loadPolicy({ text: 'defaultAction: allow' }));
    expect(withHeader.defaultAction).toBe('allow');
  });

  it.each([
    [
      'a Kyverno ClusterPolicy',
      'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: { name: verify }\nspec: { rules: [] }\n',
      'invalid policy (inline policy): kyverno.io/v1 ClusterPolicy: this is a Kyverno policy, not a notary-gate policy',
    ],
    [
      'a Gatekeeper constraint template',
      'apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n',
      'templates.gatekeeper.sh/v1 ConstraintTemplate: this is an OPA Gatekeeper resource',
    ],
    [
      'a Sigstore ClusterImagePolicy',
      'apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\n',
      'this is a Sigstore policy-controller policy',
    ],
    [
      'a Kubernetes Deployment',
      'apiVersion: apps/v1\nkind: Deployment\n',
      'apps/v1 Deployment: this is a Kubernetes manifest',
    ],
    ['a core ConfigMap', 'apiVersion: v1\nkind: ConfigMap\ndata: {}\n', 'v1 ConfigMap: this is a Kubernetes manifest'],
    ['another notary-gate kind', 'apiVersion: notary-gate/v1\nkind: Rule\n', 'notary-gate/v1 has only kind Policy'],
    ['a future apiVersion', 'apiVersion: notary-gate/v2\nkind: Policy\n', 'supports only apiVersion notary-gate/v1'],
    ['an apiVersion that is not a string', 'apiVersion: 1\n', 'not a notary-gate policy'],
    [
      'a Notation trust policy document',
      '{"version": "1.0", "trustPolicies": [{"name": "p", "registryScopes": ["*"]}]}',
      'this is a Notation trust policy document (version + trustPolicies), not a notary-gate policy; name it from a rule',
    ],
  ])('refuses %s, saying what the file looks like', async (_what, text, message) => {
    expect(await refusal(text)).toContain(message);
  });

  it('still refuses unknown fields beside a valid header', async () => {
    expect(await refusal('apiVersion: notary-gate/v1\nkind: Policy\nmetadata: {}\n')).toMatch(
      /metadata: unknown field/,
    );
  });
});

describe('YAML and JSON syntax errors', () => {
  it.each([
    ['YAML', 'mode: enforce\nrules: [\n  - x: }\n', /not valid YAML or JSON at line 3, column \d+: /],
    ['JSON', '{\n  "mode": "enforce",,\n}', /not valid YAML or JSON at line 2, column 21: /],
    ['the first line', 'mode: [enforce', /at line 1, column 15: /],
  ])('name the line and column (%s)', async (_what, text, reason) => {
    expect(await refusal(text)).toMatch(reason);
  });
});
