import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildWebhookConfiguration, TOKEN_PLACEHOLDER, toYaml } from '../../shared/webhook-config/build';
import { STACK_OUTPUTS } from '../../shared/webhook-config/stack-outputs';
import { type FakeServer, startFakeServer } from '../harness/fake-server';

/**
 * `webhook-config --stack` end to end: the real CLI and the real AWS SDK, against one local server answering
 * CloudFormation DescribeStacks (query protocol, XML) and Secrets Manager GetSecretValue (JSON 1.1) as AWS does,
 * reached through AWS_ENDPOINT_URL_*.
 */
const URL = 'https://abcdefghij.lambda-url.eu-west-1.on.aws';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:WebhookToken-AbCdEf';
const TOKEN = 'Tok3nFromSecretsManager0123456789';
const OUTPUTS = {
  [STACK_OUTPUTS.webhookConfiguration]: toYaml(buildWebhookConfiguration({ url: URL, token: TOKEN_PLACEHOLDER })),
  [STACK_OUTPUTS.tokenSecretArn]: SECRET_ARN,
};

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function describeStacksXml(outputs: Record<string, string>): string {
  const members = Object.entries(outputs)
    .map(([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`)
    .join('');
  return `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>NotaryGate</StackName><StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/NotaryGate/1</StackId><CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`;
}

let aws: FakeServer;
beforeAll(async () => {
  aws = await startFakeServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.headers['x-amz-target'] === 'secretsmanager.GetSecretValue') {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ ARN: SECRET_ARN, Name: 'WebhookToken', SecretString: TOKEN, VersionId: 'v2' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(describeStacksXml(OUTPUTS));
    });
  });
});
afterAll(() => aws.close());

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_ENDPOINT_URL_CLOUDFORMATION: aws.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(__dirname, '../../bin/notary-gate.js'), 'webhook-config', ...args],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('notary-gate webhook-config --stack', () => {
  it('prints the configuration with the token on stdout, and the rotation steps for this stack on stderr', async () => {
    const { code, stdout, stderr } = await cli(['--stack', 'NotaryGate', '--region', 'eu-west-1']);
    expect(code).toBe(0);
    expect(parse(stdout).webhooks[0].clientConfig.url).toBe(`${URL}/validate/${TOKEN}`);
    expect(stderr).not.toContain(TOKEN);
    // (The SDK may warn about the Node.js version before it: not ours to test.)
    const hint = stderr.slice(stderr.indexOf('notary-gate: the token'));
    expect(hint.trimEnd().split('\n')).toEqual([
      `notary-gate: the token is the current version of ${SECRET_ARN}.`,
      '  To rotate it without a window of 403s (docs/deploy.md#rotating-the-token):',
      `    1. aws secretsmanager put-secret-value --region eu-west-1 --secret-id ${SECRET_ARN} --secret-string "$(openssl rand -hex 24)"`,
      '    2. wait 5 minutes: warm instances keep their read of the secret that long (both tokens are accepted meanwhile)',
      "    3. within the stack's tokenOverlap (default 1 hour) after step 1, on every cluster:",
      '       notary-gate webhook-config --stack NotaryGate --region eu-west-1 | kubectl apply -f -',
    ]);
    expect(aws.requests.some((request) => request.headers['x-amz-target'] === 'secretsmanager.GetSecretValue')).toBe(
      true,
    );
  });

  it('keeps the placeholder with --keep-placeholder, and still says how to rotate', async () => {
    const { code, stdout, stderr } = await cli([
      '--stack',
      'NotaryGate',
      '--region',
      'eu-west-1',
      '--keep-placeholder',
    ]);
    expect(code).toBe(0);
    expect(parse(stdout).webhooks[0].clientConfig.url).toBe(`${URL}/validate/${TOKEN_PLACEHOLDER}`);
    expect(stderr).toContain('To rotate it without a window of 403s');
  });
});
