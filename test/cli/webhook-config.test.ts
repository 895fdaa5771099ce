import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { WEBHOOK_TIMEOUT_SECONDS } from '../../shared/constants';
import { caExtensions, issueCertificate, validity } from '../harness/x509-kit';

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

  describe('with --break-glass', () => {
    it('adds the objectSelector that leaves break-glass objects out of the validating webhook only', () => {
      const validating = parse(cli('--url', URL, '--token', 's3cr3tToken-0123456789', '--break-glass').stdout);
      expect(validating.webhooks[0].objectSelector).toEqual({
        matchExpressions: [{ key: 'notary-gate.io/break-glass', operator: 'NotIn', values: ['true'] }],
      });
      const mutating = parse(
        cli('--url', URL, '--token', 's3cr3tToken-0123456789', '--break-glass', '--mutating').stdout,
      );
      expect(mutating.webhooks[0].objectSelector).toBeUndefined();
    });

    it('is refused with --stack, whose configuration the deployment fixed', () => {
      const result = cli('--stack', 'NotaryGate', '--break-glass');
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/breakGlass cannot apply/);
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

  it('takes a CA bundle, a failure policy, a timeout and the unchanged-spec condition', async () => {
    const bundle = await caBundleOf(2);
    const webhook = parse(
      cli(
        '--url',
        'https://10.0.0.5:8443',
        '--ca-bundle',
        bundle,
        '--failure-policy',
        'Ignore',
        '--timeout',
        '5',
        '--skip-unchanged-spec',
      ).stdout,
    ).webhooks[0];
    expect(webhook).toMatchObject({ clientConfig: { caBundle: bundle }, failurePolicy: 'Ignore', timeoutSeconds: 5 });
    expect(webhook.matchConditions).toHaveLength(1);
  });

  describe('with input it cannot use', () => {
    it.each([
      [['--url', 'http://plain.example.com'], /https URL/],
      [['--url', 'not a url'], /is not a URL/],
      [['--url', `${URL}/validate`], /leave out \/validate/],
      [['--url', `${URL}/validate/`], /leave out \/validate/],
      [['--url', `${URL}/validate/s3cr3tToken-0123456789`], /leave out \/validate/],
      [['--url', `${URL}/mutate`, '--mutating'], /leave out \/mutate/],
      [['--url', URL, '--ca-bundle', 'not base64!'], /--ca-bundle must be base64 of PEM certificates.*not base64/],
      [['--url', URL, '--ca-bundle', 'Q0E='], /does not decode to PEM/],
      [
        [
          '--url',
          URL,
          '--ca-bundle',
          Buffer.from('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n').toString('base64'),
        ],
        /no CERTIFICATE block/,
      ],
      [
        [
          '--url',
          URL,
          '--ca-bundle',
          Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64'),
        ],
        /certificate 1 does not parse as X.509/,
      ],
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

  describe('a Lambda function URL without a token', () => {
    it('warns on stderr that the token is its only guard, and still prints the configuration', () => {
      const result = cli('--url', URL);
      expect(result.status).toBe(0);
      expect(result.stderr).toMatch(/warning: a Lambda function URL .* --token is its only guard/);
      expect(parse(result.stdout).webhooks[0].clientConfig.url).toBe(`${URL}/validate`);
    });

    it('does not warn for a URL that is not a function URL, or with the placeholder', () => {
      expect(cli('--url', 'https://webhook.example.com').stderr).toBe('');
      expect(cli('--url', URL, '--keep-placeholder').stderr).toBe('');
    });
  });

  it('accepts a path prefix that is not one of its own paths', () => {
    const result = cli('--url', 'https://gateway.example.com/notary-gate/', '--token', 's3cr3tToken-0123456789');
    expect(result.status).toBe(0);
    expect(parse(result.stdout).webhooks[0].clientConfig.url).toBe(
      'https://gateway.example.com/notary-gate/validate/s3cr3tToken-0123456789',
    );
  });
});

/** Base64 of `count` PEM certificates, as `base64 -w0 ca.pem` prints a bundle. */
async function caBundleOf(count: number): Promise<string> {
  const pems: string[] = [];
  for (let index = 0; index < count; index++) {
    const ca = await issueCertificate({
      subject: `CN=webhook CA ${index}`,
      ...validity(Date.now(), 1, 30),
      extensions: caExtensions(),
    });
    pems.push(ca.pem);
  }
  return Buffer.from(`${pems.join('\n')}\n`).toString('base64');
}
