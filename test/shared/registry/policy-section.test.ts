import { InvalidPolicyError } from '../../../shared/errors';
import { credentialReferences } from '../../../shared/policy/credentials';
import { loadPolicy, readPolicyDocument } from '../../../shared/policy/load';
import { registryTarget } from '../../../shared/registry/settings';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const env = { REG_USER: 'robot', REG_PASS: 's3cret' };
const load = (registries: unknown, options: { validateOnly?: boolean } = {}) =>
  loadPolicy({ text: JSON.stringify({ registries }), env, ...options });

describe('the registries: section of the policy', () => {
  it('resolves CA, credentials and endpoint per host, host names in lower case', async () => {
    const policy = await load({
      'Registry.Example.com': { caFile: PEM, auth: { usernameEnv: 'REG_USER', passwordEnv: 'REG_PASS' } },
      '127.0.0.1:5000': { plainHttp: true },
      '123456789012.dkr.ecr.us-east-1.amazonaws.com': { endpoint: 'https://127.0.0.1:5443/' },
    });
    expect(policy.registries).toEqual({
      'registry.example.com': {
        ca: PEM,
        plainHttp: false,
        endpoint: undefined,
        auth: { username: 'robot', password: 's3cret' },
      },
      '127.0.0.1:5000': { ca: undefined, plainHttp: true, endpoint: undefined, auth: undefined },
      '123456789012.dkr.ecr.us-east-1.amazonaws.com': {
        ca: undefined,
        plainHttp: false,
        endpoint: 'https://127.0.0.1:5443',
        auth: undefined,
      },
    });
  });

  it('is left out when absent (every registry then reached over https, anonymous or ECR auth)', async () => {
    expect((await loadPolicy({ text: 'mode: enforce' })).registries).toBeUndefined();
  });

  it.each([
    [{ 'registry.example.com': { plainHttp: true } }, /registries\.registry\.example\.com\.plainHttp: .*loopback/],
    [{ 'registry.example.com': { endpoint: 'http://proxy.example.com' } }, /endpoint: must be an https URL/],
    [{ 'registry.example.com': { endpoint: 'https://proxy.example.com/path' } }, /without path/],
    [{ 'registry.example.com': { insecure: true } }, /unknown field/],
    [{ 'registry.example.com': { auth: { username: 'u', password: 'p' } } }, /plain passwords are not allowed/],
    [{ 'not a host': {} }, /is not a registry host/],
    [{ 'a.example': {}, 'A.example': {} }, /names a host given already/],
  ])('refuses %j', async (registries, message) => {
    const pending = load(registries);
    await expect(pending).rejects.toBeInstanceOf(InvalidPolicyError);
    await expect(pending).rejects.toThrow(message);
  });

  it('looks no credentials up when only validating (cdk synth)', async () => {
    const policy = await load(
      { 'r.example': { auth: { usernameEnv: 'MISSING', passwordEnv: 'MISSING' } } },
      { validateOnly: true },
    );
    expect(policy.registries?.['r.example']?.auth).toBeUndefined();
  });

  it("lists the section's secrets with the rules' for the deployment's grants", async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-pull-AbCdEf';
    const document = await readPolicyDocument({
      text: JSON.stringify({ registries: { 'r.example': { auth: { secretArn: arn } } } }),
    });
    expect(credentialReferences(document)).toEqual([
      { field: 'registries["r.example"].auth', kind: 'secret', secretArn: arn },
    ]);
  });
});

describe('reaching a registry', () => {
  it('reaches docker.io at registry-1.docker.io, scopes and caches staying docker.io', () => {
    expect(registryTarget('docker.io')).toMatchObject({ host: 'docker.io', baseUrl: 'https://registry-1.docker.io' });
  });

  it('uses the configured endpoint, keeping the host for names and ECR auth', () => {
    const target = registryTarget('123456789012.dkr.ecr.us-east-1.amazonaws.com', {
      '123456789012.dkr.ecr.us-east-1.amazonaws.com': {
        ca: undefined,
        plainHttp: false,
        endpoint: 'https://127.0.0.1:5443',
        auth: undefined,
      },
    });
    expect(target).toMatchObject({ baseUrl: 'https://127.0.0.1:5443', ecr: { region: 'us-east-1' } });
  });

  it('reaches an unconfigured host over https, and a plainHttp loopback host over http', () => {
    expect(registryTarget('Registry.Example.com').baseUrl).toBe('https://registry.example.com');
    const local = { '127.0.0.1:5000': { ca: undefined, plainHttp: true, endpoint: undefined, auth: undefined } };
    expect(registryTarget('127.0.0.1:5000', local).baseUrl).toBe('http://127.0.0.1:5000');
  });
});
