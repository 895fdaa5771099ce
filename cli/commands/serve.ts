import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { HTTP_PATHS } from '../../shared/constants';
import { InvalidInputError } from '../../shared/errors';
import { EXIT, runCommand } from '../exit';

interface ServeOptions {
  port: string;
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  selfSigned?: boolean;
  policy?: string;
  cacheTable?: string;
  debug?: boolean;
}

/** The sample the printed curl posts: a real AdmissionReview from the repository. */
const SAMPLE = 'test/fixtures/admission/pod-create.json';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the webhook locally: the same handler as the Lambda, behind a local HTTP(S) server')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8443')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
    .option('--self-signed', 'serve HTTPS with a generated certificate and print its caBundle')
    .option('--policy <file>', 'policy file (default: POLICY/POLICY_FILE, ./policy.yaml, or the built-in default)')
    .option('--cache-table <name>', 'DynamoDB cache table (default: in-memory only)')
    .addHelpText(
      'after',
      `\nEnvironment: WEBHOOK_TOKEN (then the path is ${HTTP_PATHS.validate}/<token>), POLICY, POLICY_FILE, CACHE_TABLE.\nExample:\n  notary-gate serve --port 8443\n  curl -s -X POST --data-binary @${SAMPLE} -H 'content-type: application/json' http://127.0.0.1:8443${HTTP_PATHS.validate}`,
    )
    .action((options: ServeOptions, command: Command) =>
      runCommand(() => serve({ ...options, debug: command.optsWithGlobals().debug })),
    );
}

async function serve(options: ServeOptions): Promise<number> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidInputError(`--port must be 0-65535, not ${options.port}`);
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey))
    throw new InvalidInputError('--tls-cert and --tls-key go together');
  if (options.selfSigned && options.tlsCert)
    throw new InvalidInputError('use either --self-signed or --tls-cert/--tls-key');

  // Heavy modules load here, so that `--help` stays fast (each import is a chunk of its own in the bundle).
  const { createWebhookHandler } = await import('../../functions/app');
  const { startLocalServer } = await import('../../functions/local-server');
  const { cliRuntime } = await import('../../shared/runtime/cli-runtime');

  const runtime = await cliRuntime(options);
  const policy = runtime.policy;
  const token = await runtime.webhookToken();

  let tls: { cert: string; key: string } | undefined;
  if (options.tlsCert && options.tlsKey) {
    tls = { cert: await readPem(options.tlsCert), key: await readPem(options.tlsKey) };
  } else if (options.selfSigned) {
    const { generateSelfSignedCertificate } = await import('../../functions/self-signed');
    tls = await generateSelfSignedCertificate([options.host]);
  }
  const handler = createWebhookHandler(async () => runtime);
  const server = await startLocalServer({ handler, host: options.host, port, ...(tls ? { tls } : {}) });

  const validateUrl = `${server.url}${HTTP_PATHS.validate}${token ? '/<token>' : ''}`;
  const curlUrl = `${server.url}${HTTP_PATHS.validate}${token ? '/$WEBHOOK_TOKEN' : ''}`;
  const lines = [
    `notary-gate webhook listening on ${server.url} (policy mode: ${policy.mode}, default action: ${policy.defaultAction}, ${policy.rules.length} rule(s))`,
    `  POST ${validateUrl}`,
    `  GET  ${server.url}${HTTP_PATHS.health}`,
    '',
    'Try it:',
    `  curl -s${tls ? 'k' : ''} -X POST --data-binary @${SAMPLE} -H 'content-type: application/json' ${curlUrl}`,
  ];
  if (policy.rules.length === 0 && policy.defaultAction === 'deny') {
    lines.push(
      '',
      'No policy rules: every image is denied. Pass --policy FILE (see examples/policy.yaml) to admit signed images.',
    );
  }
  if (tls) {
    lines.push(
      '',
      'caBundle (base64 of the certificate, for a ValidatingWebhookConfiguration):',
      `  ${Buffer.from(tls.cert).toString('base64')}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.stderr.write('notary-gate: stopping\n');
      server.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await runtime.flush();
  return EXIT.ok;
}

async function readPem(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
