import type { DescribeStacksCommandInput, DescribeStacksCommandOutput } from '@aws-sdk/client-cloudformation';
import type { GetSecretValueCommandInput, GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { parse } from 'yaml';
import { InvalidInputError } from '../../../shared/errors';
import {
  buildMutatingWebhookConfiguration,
  buildWebhookConfiguration,
  TOKEN_PLACEHOLDER,
  toYaml,
} from '../../../shared/webhook-config/build';
import {
  type CloudFormationApi,
  type SecretsManagerApi,
  webhookConfigurationFromStack,
} from '../../../shared/webhook-config/deployed-stack';
import { STACK_OUTPUTS } from '../../../shared/webhook-config/stack-outputs';

const URL = 'https://abcdefghij.lambda-url.eu-west-1.on.aws';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:WebhookToken-AbCdEf';
const STACK_YAML = toYaml(buildWebhookConfiguration({ url: URL, token: TOKEN_PLACEHOLDER }));

/** DescribeStacks and GetSecretValue as AWS answers them for a deployed stack. */
function fakes(outputs: Record<string, string>, secret = 'Tok3nFromSecretsManager') {
  const secretsAsked: string[] = [];
  const cloudFormation: CloudFormationApi = {
    async describeStacks(input: DescribeStacksCommandInput): Promise<DescribeStacksCommandOutput> {
      if (input.StackName !== 'NotaryGate') throw new Error(`Stack with id ${input.StackName} does not exist`);
      const Outputs = Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
      return {
        Stacks: [{ StackName: 'NotaryGate', CreationTime: new Date(0), StackStatus: 'UPDATE_COMPLETE', Outputs }],
        $metadata: {},
      };
    },
  };
  const secrets: SecretsManagerApi = {
    async getSecretValue(input: GetSecretValueCommandInput): Promise<GetSecretValueCommandOutput> {
      secretsAsked.push(input.SecretId ?? '');
      return { SecretString: `${secret}\n`, $metadata: {} };
    },
  };
  return { clients: { cloudFormation, secrets }, secretsAsked };
}

const complete = { [STACK_OUTPUTS.webhookConfiguration]: STACK_YAML, [STACK_OUTPUTS.tokenSecretArn]: SECRET_ARN };

describe('the webhook configuration of a deployed stack', () => {
  it('fills in the token read from the secret the stack names', async () => {
    const { clients, secretsAsked } = fakes(complete);
    const yaml = await webhookConfigurationFromStack(clients, 'NotaryGate');
    expect(parse(yaml).webhooks[0].clientConfig.url).toBe(`${URL}/validate/Tok3nFromSecretsManager`);
    expect(secretsAsked).toEqual([SECRET_ARN]);
  });

  it('gives the MutatingWebhookConfiguration with --mutating, with the same token', async () => {
    const mutatingYaml = toYaml(buildMutatingWebhookConfiguration({ url: URL, token: TOKEN_PLACEHOLDER }));
    const { clients } = fakes({ ...complete, [STACK_OUTPUTS.mutatingWebhookConfiguration]: mutatingYaml });
    const yaml = await webhookConfigurationFromStack(clients, 'NotaryGate', { mutating: true });
    expect(parse(yaml)).toMatchObject({ kind: 'MutatingWebhookConfiguration' });
    expect(parse(yaml).webhooks[0].clientConfig.url).toBe(`${URL}/mutate/Tok3nFromSecretsManager`);
    await expect(
      webhookConfigurationFromStack(fakes(complete).clients, 'NotaryGate', { mutating: true }),
    ).rejects.toThrow(`has no ${STACK_OUTPUTS.mutatingWebhookConfiguration} output`);
  });

  it('keeps the placeholder and never reads the secret when asked to', async () => {
    const { clients, secretsAsked } = fakes(complete);
    expect(await webhookConfigurationFromStack(clients, 'NotaryGate', { keepPlaceholder: true })).toBe(STACK_YAML);
    expect(secretsAsked).toEqual([]);
  });

  it('says which output is missing from a stack that is not notary-gate', async () => {
    const { clients } = fakes({ [STACK_OUTPUTS.tokenSecretArn]: SECRET_ARN });
    await expect(webhookConfigurationFromStack(clients, 'NotaryGate')).rejects.toThrow(
      new InvalidInputError(
        `stack NotaryGate has no ${STACK_OUTPUTS.webhookConfiguration} output: is it a notary-gate stack, deployed by this version?`,
      ),
    );
  });

  it('refuses a secret value that cannot be a URL path part', async () => {
    const { clients } = fakes(complete, 'has/slash-0123456789abcdef');
    await expect(webhookConfigurationFromStack(clients, 'NotaryGate')).rejects.toThrow(InvalidInputError);
  });
});
