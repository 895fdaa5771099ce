import type { Command } from 'commander';
import type { ImageReference } from '../../shared/image/types';
import type { InspectReport } from '../../shared/registry/inspect';
import type { Runtime } from '../../shared/runtime/runtime';
import type { SignatureInspection } from '../../shared/verify/types';
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
  const nowMs = runtime.clock();
  const verdict = await runtime.engine.checkImage(image, { nowMs });
  const inspections = await inspectEachSignature(runtime, ref, nowMs);
  await runtime.flush();
  const summary = {
    allowed: verdict.allowed,
    code: verdict.code,
    reason: verdict.reason,
    format: verdict.format,
    ...(verdict.formats && { formats: verdict.formats }),
  };
  if (options.json) {
    const signatures = report && withVerdicts(report.signatures, inspections);
    const out = {
      image,
      reference: ref.reference,
      ...(report ?? {}),
      ...(signatures && { signatures }),
      ...(registryError && { registryError }),
      verdict: summary,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    if (report) process.stdout.write(formatInspectReport(report, summary, inspections));
    else
      process.stdout.write(
        `registry    ${registryError?.code}: ${registryError?.reason}\nverdict     ${verdict.allowed ? 'allow' : 'deny'} ${verdict.code}: ${verdict.reason}\n`,
      );
  }
  return verdict.allowed ? EXIT.ok : EXIT.denied;
}

/**
 * Each signature's verdict under the policy, per format that lists its signatures one by one (Notation): the rule
 * the image matches, verified at the evaluation instant (`--at`). Empty when no verify rule matches.
 */
async function inspectEachSignature(
  runtime: Runtime,
  ref: ImageReference,
  nowMs: number,
): Promise<Record<string, SignatureInspection>> {
  const { findRule } = await import('../../shared/policy/match');
  const rule = findRule(runtime.policy, ref.name);
  if (rule?.action !== 'verify') return {};
  const inspections: Record<string, SignatureInspection> = {};
  const signal = AbortSignal.timeout(30_000);
  for (const verifier of runtime.verifiers) {
    if (!verifier.supports(rule) || !verifier.inspectSignatures) continue;
    inspections[verifier.format] = await verifier.inspectSignatures(ref, rule, { nowMs, signal });
  }
  return inspections;
}

/** `--json`: each format's listing with the verdict of every signature (`verdicts`) or why none was verified. */
function withVerdicts(signatures: InspectReport['signatures'], inspections: Record<string, SignatureInspection>) {
  return Object.fromEntries(
    Object.entries(signatures).map(([format, listed]) => {
      const inspection = inspections[format];
      if (!inspection) return [format, listed];
      if ('code' in inspection) return [format, { ...listed, notVerified: inspection }];
      return [
        format,
        {
          ...listed,
          ...(inspection.statement && { trustPolicy: inspection.statement }),
          verdicts: inspection.signatures,
          ...(inspection.notTried > 0 && { notTried: inspection.notTried }),
        },
      ];
    }),
  );
}
