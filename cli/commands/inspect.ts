import type { Command } from 'commander';
import { EXIT, runCommand } from '../exit';

interface InspectOptions {
  json?: boolean;
  policy?: string;
  cacheTable?: string;
  at?: string;
  debug?: boolean;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description(
      'what the registry and the signature sources say about one image: resolved digest, media type, platforms of an index, signatures found per format and the verdict under the policy',
    )
    .argument('<image>', 'an image reference, e.g. registry.example.com/team/app:1.2')
    .option('--policy <file>', 'policy file (its registries: section says how to reach the registry)')
    .option('--cache-table <name>', 'DynamoDB cache table (default: in-memory only)')
    .option('--at <rfc3339>', 'evaluate signature and metadata expiry at this instant instead of now')
    .option('--json', 'print {image, reference, repository, descriptor, platforms, signatures, verdict}')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 the image is allowed, 1 denied, 2 usage or input error.',
        'Examples:',
        '  notary-gate inspect --policy policy.yaml 127.0.0.1:5000/team/app:v1',
      ].join('\n'),
    )
    .action((image: string, options: InspectOptions, command: Command) =>
      runCommand(() => inspect(image, { ...options, debug: command.optsWithGlobals().debug })),
    );
}

async function inspect(image: string, options: InspectOptions): Promise<number> {
  const { parseReference } = await import('../../shared/image/reference');
  const { cliRuntime } = await import('../../shared/runtime/cli-runtime');
  const { OciRegistryClient } = await import('../../shared/registry/client');
  const { formatInspectReport, inspectImage } = await import('../../shared/registry/inspect');
  const ref = parseReference(image);
  const runtime = await cliRuntime(options);
  const { MemoryStore } = await import('../../shared/cache/memory-store');
  const client = new OciRegistryClient({ store: new MemoryStore(), registries: runtime.policy.registries });
  let report: Awaited<ReturnType<typeof inspectImage>> | undefined;
  let registryError: { code: string; reason: string } | undefined;
  try {
    report = await inspectImage(client, ref, { signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'INTERNAL_ERROR';
    registryError = { code, reason: (error as Error).message };
  }
  const verdict = await runtime.engine.checkImage(image, { nowMs: runtime.clock() });
  await runtime.flush();
  const summary = { allowed: verdict.allowed, code: verdict.code, reason: verdict.reason, format: verdict.format };
  if (options.json) {
    const out = {
      image,
      reference: ref.reference,
      ...(report ?? {}),
      ...(registryError && { registryError }),
      verdict: summary,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    if (report) process.stdout.write(formatInspectReport(report, summary));
    else
      process.stdout.write(
        `registry    ${registryError?.code}: ${registryError?.reason}\nverdict     ${verdict.allowed ? 'allow' : 'deny'} ${verdict.code}: ${verdict.reason}\n`,
      );
  }
  return verdict.allowed ? EXIT.ok : EXIT.denied;
}
