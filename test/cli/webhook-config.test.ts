import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { WEBHOOK_TIMEOUT_SECONDS } from '../../shared/constants';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(__dirname, '../../bin/notary-gate.js'), 'webhook-config', ...args], {
    encoding: 'utf8',
  });
const URL = 'https://abcdefghij.lambda-url.eu-west-1.on.aws';

describe('notary-gate webhook-config', () => {
  describe('with --mutating', () => {
    const result = cli('--url', URL, '--token', 's3cr3tToken-0123456789', '--timeout', '5', '--mutating');
    const webhook = parse(result.stdout).webhooks[0];

    it('prints the MutatingWebhookConfiguration of /mutate/<token>, ignored when it fails, re-invoked if needed', () => {
      expect(result.status).toBe(0);
      expect(parse(result.stdout).kind).toBe('MutatingWebhookConfiguration');
      expect(webhook).toMatchObject({
        clientConfig: { url: `${URL}/mutate/s3cr3tToken-0123456789` },
        failurePolicy: 'Ignore',
        reinvocationPolicy: 'IfNeeded',
        sideEffects: 'None',
        timeoutSeconds: 5,
      });
    });
  });

  describe('with --url and --token', () => {
    const result = cli(
      '--url',
      URL,
      '--token',
      's3cr3tToken-0123456789',
      '--exclude-namespace',
      'monitoring',
      'istio-system',
    );
    const configuration = parse(result.stdout);
    const webhook = configuration.webhooks[0];

    it('prints only the YAML and exits 0', () => {
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
      expect(configuration.kind).toBe('ValidatingWebhookConfiguration');
    });

    it('points the apiserver at /validate/<token> on the URL', () => {
      expect(webhook.clientConfig.url).toBe(`${URL}/validate/s3cr3tToken-0123456789`);
    });

    it('excludes kube-system and the namespaces given', () => {
      expect(webhook.namespaceSelector.matchExpressions[0].values).toEqual([
        'kube-system',
        'monitoring',
        'istio-system',
      ]);
    });

    it('keeps the defaults: Fail, the shared timeout, no side effects', () => {
      expect(webhook).toMatchObject({
        failurePolicy: 'Fail',
        timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
        sideEffects: 'None',
      });
    });
  });

  it('writes the placeholder with --keep-placeholder, for templating', () => {
    const result = cli('--url', URL, '--keep-placeholder');
    expect(parse(result.stdout).webhooks[0].clientConfig.url).toBe(`${URL}/validate/<WEBHOOK_TOKEN>`);
  });

  it('takes a CA bundle, a failure policy, a timeout and the unchanged-spec condition', () => {
    const webhook = parse(
      cli('--url', URL, '--ca-bundle', 'Q0E=', '--failure-policy', 'Ignore', '--timeout', '5', '--skip-unchanged-spec')
        .stdout,
    ).webhooks[0];
    expect(webhook).toMatchObject({ clientConfig: { caBundle: 'Q0E=' }, failurePolicy: 'Ignore', timeoutSeconds: 5 });
    expect(webhook.matchConditions).toHaveLength(1);
  });

  describe('with input it cannot use', () => {
    it.each([
      [['--url', 'http://plain.example.com'], /https URL/],
      [['--url', URL, '--timeout', '45'], /from 1 to 30/],
      [['--url', URL, '--token', 'a/b'], /16-256 characters/],
      [[], /--url URL or --stack NAME/],
      [['--stack', 'NotaryGate', '--url', URL], /either --stack or --url/],
      [['--stack', 'NotaryGate', '--failure-policy', 'Ignore'], /deployed with/],
      [['--url', URL, '--failure-policy', 'Sometimes'], /Allowed choices are Fail, Ignore/],
    ])('exits 2 for %j with a clear message', (args, message) => {
      const result = cli(...(args as string[]));
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
    });
  });
});
