import { type Command, Option } from 'commander';
import { InvalidInputError } from '../../shared/errors';
import { BREAK_GLASS_LABEL, BREAK_GLASS_VALUE } from '../../shared/webhook-config/break-glass';
import type { FailurePolicy } from '../../shared/webhook-config/build';
import { TOKEN_PLACEHOLDER } from '../../shared/webhook-config/stack-outputs';
import { EXIT, runCommand } from '../exit';
import { assertPemCaBundle, assertUsableBaseUrl, isLambdaFunctionUrl } from '../webhook-config-input';

interface WebhookConfigOptions {
  url?: string;
  token?: string;
  caBundle?: string;
  stack?: string;
  region?: string;
  keepPlaceholder?: boolean;
  timeout?: string;
  failurePolicy?: FailurePolicy;
  excludeNamespace?: string[];
  skipUnchangedSpec?: boolean;
  name?: string;
  mutating?: boolean;
  breakGlass?: boolean;
}

/** Options that shape the configuration; a deployed stack already fixed them from its CDK context. */
const SHAPING_OPTIONS = [
  'timeout',
  'failurePolicy',
  'excludeNamespace',
  'skipUnchangedSpec',
  'name',
  'caBundle',
  'breakGlass',
] as const;

export function registerWebhookConfig(program: Command): void {
  program
    .command('webhook-config')
    .description(
      'print the ValidatingWebhookConfiguration YAML for kubectl apply (with --mutating: the MutatingWebhookConfiguration)',
    )
    .option(
      '--mutating',
      'print the MutatingWebhookConfiguration of /mutate instead (pins tags to verified digests; failurePolicy Ignore)',
    )
    .option('--url <url>', 'base URL of the webhook (a Lambda function URL or `serve`), without /validate')
    .option('--token <token>', 'webhook path token (default: none, or the placeholder with --keep-placeholder)')
    .option(
      '--ca-bundle <base64>',
      "base64 PEM CA bundle, for endpoints public roots don't cover (e.g. serve --self-signed)",
    )
    .option(
      '--stack <name>',
      'read the configuration of a deployed stack and fill in the token from Secrets Manager (the token rotation steps go to stderr)',
    )
    .option('--region <region>', 'AWS region of the stack (default: the SDK default, e.g. AWS_REGION)')
    .option('--keep-placeholder', `print ${TOKEN_PLACEHOLDER} instead of the token (e.g. to template it in GitOps)`)
    .option('--timeout <seconds>', 'timeoutSeconds of the webhook, 1 to 30')
    .addOption(
      new Option(
        '--failure-policy <policy>',
        'what the apiserver does when the webhook fails (default Fail; Ignore with --mutating)',
      ).choices(['Fail', 'Ignore']),
    )
    .option('--exclude-namespace <namespace...>', 'namespaces never sent to the webhook, besides kube-system')
    .option('--skip-unchanged-spec', 'skip UPDATEs that leave the spec unchanged (a CEL match condition)')
    .option('--name <name>', 'metadata.name of the configuration')
    .option(
      '--break-glass',
      `leave objects labelled ${BREAK_GLASS_LABEL}=${BREAK_GLASS_VALUE} out of the validating webhook (an objectSelector; docs/deploy.md)`,
    )
    .addHelpText(
      'after',
      `
Examples:
  notary-gate webhook-config --stack NotaryGate --region eu-west-1 | kubectl apply -f -
  notary-gate webhook-config --stack NotaryGate --region eu-west-1 --mutating | kubectl apply -f -
  notary-gate webhook-config --url https://abc.lambda-url.eu-west-1.on.aws --token "$TOKEN"
  notary-gate webhook-config --url https://10.0.0.5:8443 --ca-bundle "$(base64 -w0 ca.pem)" --exclude-namespace monitoring`,
    )
    .action((options: WebhookConfigOptions) =>
      runCommand(async () => {
        process.stdout.write(await webhookConfigYaml(options));
        return EXIT.ok;
      }),
    );
}

async function webhookConfigYaml(options: WebhookConfigOptions): Promise<string> {
  if (options.stack !== undefined) {
    if (options.url !== undefined) throw new InvalidInputError('give either --stack or --url, not both');
    const shaping = SHAPING_OPTIONS.filter((key) => options[key] !== undefined);
    if (shaping.length > 0) {
      throw new InvalidInputError(
        `--stack prints the configuration the stack was deployed with, so ${shaping.join(', ')} cannot apply; redeploy with other CDK context, or use --url with the stack's FunctionUrl output`,
      );
    }
    return fromStack(options.stack, options.region, {
      keepPlaceholder: options.keepPlaceholder === true,
      mutating: options.mutating === true,
    });
  }
  if (options.url === undefined) throw new InvalidInputError('give --url URL or --stack NAME');
  assertUsableBaseUrl(options.url);
  if (options.caBundle !== undefined) assertPemCaBundle(options.caBundle);
  if (
    (options.token === undefined || options.token === '') &&
    !options.keepPlaceholder &&
    isLambdaFunctionUrl(options.url)
  ) {
    process.stderr.write(
      'notary-gate: warning: a Lambda function URL is reachable from the internet and --token is its only guard; without one the configuration works only if the webhook runs without a token (pass --token, or --stack to read it)\n',
    );
  }
  const token = options.keepPlaceholder ? TOKEN_PLACEHOLDER : options.token;
  const { buildMutatingWebhookConfiguration, buildWebhookConfiguration, toYaml } = await import(
    '../../shared/webhook-config/build'
  );
  const build = options.mutating ? buildMutatingWebhookConfiguration : buildWebhookConfiguration;
  return toYaml(
    build({
      url: options.url,
      token,
      caBundle: options.caBundle,
      timeoutSeconds: options.timeout === undefined ? undefined : Number(options.timeout),
      failurePolicy: options.failurePolicy,
      excludedNamespaces: options.excludeNamespace,
      skipUnchangedSpecUpdates: options.skipUnchangedSpec,
      name: options.name,
      breakGlass: options.breakGlass,
    }),
  );
}

/**
 * The AWS SDK loads only here, so that the --url path and --help start fast and work offline. The token rotation
 * steps for this stack go to stderr (shared/webhook-config/rotation-hint.ts).
 */
async function fromStack(
  stackName: string,
  region: string | undefined,
  shape: { keepPlaceholder: boolean; mutating: boolean },
): Promise<string> {
  const [{ CloudFormation }, { SecretsManager }, stack, { tokenRotationHint }] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    import('@aws-sdk/client-secrets-manager'),
    import('../../shared/webhook-config/deployed-stack'),
    import('../../shared/webhook-config/rotation-hint'),
  ]);
  const config = { ...stack.CLI_AWS_CLIENT_CONFIG, ...(region && { region }) };
  const outputs = await stack.readStackOutputs(new CloudFormation(config), stackName);
  const yaml = await stack.webhookConfigurationFromOutputs(new SecretsManager(config), outputs, stackName, shape);
  process.stderr.write(tokenRotationHint({ stackName, ...(region && { region }), outputs }));
  return yaml;
}
