import type { Command } from 'commander';
import { HTTP_PATHS } from '../../shared/constants';
import { InvalidAdmissionReviewError, InvalidInputError } from '../../shared/errors';
import { EXIT, runCommand } from '../exit';
import { readInput } from '../input';

interface ReviewOptions {
  policy?: string;
  cacheTable?: string;
  at?: string;
  mutate?: boolean;
  debug?: boolean;
}

export function registerReview(program: Command): void {
  program
    .command('review')
    .description('print the AdmissionReview response the webhook returns for an AdmissionReview (v1 or v1beta1)')
    .argument('<file>', 'AdmissionReview JSON file, or - for standard input')
    .option('--policy <file>', 'policy file (default: POLICY/POLICY_FILE, ./policy.yaml, or the built-in default)')
    .option('--cache-table <name>', 'DynamoDB cache table (default: in-memory only)')
    .option('--at <rfc3339>', 'evaluate signature and metadata expiry at this instant instead of now')
    .option('--mutate', 'print the /mutate response instead: allowed, with the JSON Patch pinning tags to digests')
    .addHelpText(
      'after',
      '\nExit codes: 0 admitted (also with audit warnings; always with --mutate), 1 denied, 2 bad input or configuration.\nExamples:\n  notary-gate review test/fixtures/admission/pod-create.json\n  notary-gate review --mutate test/fixtures/admission/deployment-create.json | jq -r .response.patch | base64 -d',
    )
    .action((file: string, options: ReviewOptions, command: Command) =>
      runCommand(() => review(file, { ...options, debug: command.optsWithGlobals().debug })),
    );
}

/**
 * Runs the AdmissionReview through the very handler the Lambda runs (as a function URL event), so the output is
 * exactly what the apiserver would get: from `/validate`, or with --mutate from `/mutate`.
 */
async function review(file: string, options: ReviewOptions): Promise<number> {
  const body = await readInput(file);
  const { createWebhookHandler } = await import('../../functions/app');
  const { localLambdaContext, toFunctionUrlEvent } = await import('../../functions/url-event');
  const { cliRuntime } = await import('../../shared/runtime/cli-runtime');
  const runtime = await cliRuntime(options);
  const token = await runtime.webhookToken();
  const handler = createWebhookHandler(async () => runtime);
  const event = toFunctionUrlEvent({
    method: 'POST',
    url: `${options.mutate ? HTTP_PATHS.mutate : HTTP_PATHS.validate}${token ? `/${token}` : ''}`,
    headers: { 'content-type': 'application/json' },
    sourceIp: '127.0.0.1',
    body: Buffer.from(body, 'utf8'),
  });
  const result = await handler(event, localLambdaContext(30_000));
  const text = result.body ?? '';
  if (result.statusCode !== 200) {
    const reason = parseReason(text);
    throw result.statusCode === 400 || result.statusCode === 413
      ? new InvalidAdmissionReviewError(reason)
      : new InvalidInputError(reason);
  }
  // Verbatim: the bytes the apiserver would receive (pipe through jq to read them).
  process.stdout.write(`${text}\n`);
  return (JSON.parse(text) as { response: { allowed: boolean } }).response.allowed ? EXIT.ok : EXIT.denied;
}

function parseReason(text: string): string {
  try {
    // Every error body is { error, reason } (the webhook answers no CONFIG_ERROR any more: a configuration that does
    // not load is a denial or a 4xx, and review loads its runtime before it calls the handler anyway).
    const { reason } = JSON.parse(text) as { reason?: string };
    return reason ?? text;
  } catch {
    return text;
  }
}
