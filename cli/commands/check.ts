import { type Command, Option } from 'commander';
import type { CheckedImage } from '../../shared/decision/types';
import { InvalidInputError } from '../../shared/errors';
import { writeFile } from '../../shared/fs-promised';
import type { Policy } from '../../shared/policy/types';
import { describeObject, type ImageSource, sourcesFromManifests } from '../check-sources';
import { EXIT, runCommand } from '../exit';
import { readInput } from '../input';

interface CheckOptions {
  file?: string[];
  policy?: string;
  json?: boolean;
  output?: 'json' | 'table';
  junit?: string;
  at?: string;
  cacheTable?: string;
  pin?: boolean;
  debug?: boolean;
}

/** Images checked at once; the verifiers single-flight each repository on top. */
const CONCURRENCY = 16;
/** From this many images on, progress goes to standard error. */
const PROGRESS_FROM = 10;

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('verify images, or every image in Kubernetes manifests, exactly as the webhook would')
    .argument('[images...]', 'image references (after -- when one starts with -)')
    .option(
      '-f, --file <file>',
      'manifests (YAML/JSON, multi-document, List) or an AdmissionReview; - for stdin',
      collect,
    )
    .option('--policy <file>', 'policy file (default: POLICY/POLICY_FILE, ./policy.yaml, or the built-in default)')
    .option(
      '--json',
      'print {"allowed", "images": [{image, name, tag, digest, reference, allowed, code, reason, signedDigest, format, warnings}]}',
    )
    .addOption(new Option('--output <format>', 'json (as --json) or table (the default)').choices(['json', 'table']))
    .option('--junit <file>', 'also write a JUnit XML report (a test suite per object, a failure per denial)')
    .option('--at <rfc3339>', 'evaluate signature and metadata expiry at this instant instead of now')
    .option('--cache-table <name>', 'DynamoDB cache table (default: in-memory only)')
    .option(
      '--pin',
      'with one -f: print the manifests with tag-only images pinned to their verified digests, as /mutate pins them (verdicts of the pinned images go to stderr)',
    )
    .addHelpText(
      'after',
      [
        '',
        'Each image gets the verdict enforce mode would give it (audit mode changes what the webhook admits, not',
        'the verdict). Exit codes: 0 all allowed, 1 at least one denied, 2 bad input or configuration.',
        'Examples:',
        '  notary-gate check --policy examples/policy-allow-deny.yaml nginx:1.25.3 evil.example.com/miner',
        '  notary-gate check --json -f deploy.yaml',
        '  notary-gate check -f deploy.yaml --pin > deploy.pinned.yaml',
        '  notary-gate check --at 2026-01-31T12:00:00Z registry.example.com/team/app@sha256:…',
      ].join('\n'),
    )
    .action((images: string[], options: CheckOptions, command: Command) =>
      runCommand(() => check(images, { ...options, debug: command.optsWithGlobals().debug })),
    );
}

async function check(args: string[], options: CheckOptions): Promise<number> {
  if (options.pin) return pin(args, options);
  if (options.json && options.output === 'table')
    throw new InvalidInputError('give --json or --output table, not both');
  const json = options.json || options.output === 'json';
  const sources: ImageSource[] = args.map((image) => ({ image }));
  for (const file of options.file ?? []) sources.push(...(await sourcesFromManifests(await readInput(file))));
  const unique = [...new Set(sources.map((source) => source.image))];
  if (unique.length === 0 && !options.file) throw new InvalidInputError('name at least one image, or -f FILE');
  if (unique.length === 0) {
    // A chart of ConfigMaps and CRDs has nothing to verify: that passes (the contract), with a note on stderr.
    process.stderr.write('notary-gate: the manifests hold no container images: nothing to verify\n');
    if (json) process.stdout.write(`${JSON.stringify({ allowed: true, images: [] }, null, 2)}\n`);
    if (options.junit) await writeReport(options.junit, []);
    return EXIT.ok;
  }

  const { cliRuntime } = await import('../../shared/runtime/cli-runtime');
  const runtime = await cliRuntime(options);
  const progress = progressReporter(unique.length);
  const nowMs = runtime.clock();
  // Each image once, however many objects name it; reported once per object and path.
  const results = await mapConcurrently(unique, CONCURRENCY, async (image) => {
    const checked = await runtime.engine.checkImage(image, { nowMs });
    progress();
    return checked;
  });
  await runtime.flush();
  const byImage = new Map(unique.map((image, index) => [image, results[index]!]));
  const entries = sources.map((source) => ({ source, checked: byImage.get(source.image)! }));

  await noteTrustOnFirstUse(runtime.policy, results, options);
  const allowed = results.every((result) => result.allowed);
  process.stdout.write(
    json
      ? `${JSON.stringify({ allowed, images: entries.map(({ source, checked }) => ({ ...contractShape(checked), ...located(source) })) }, null, 2)}\n`
      : textLines(entries),
  );
  if (options.junit) await writeReport(options.junit, entries);
  return allowed ? EXIT.ok : EXIT.denied;
}

/** Once per run, on stderr: trust on first use without a cache table (cli/tofu-note.ts). */
async function noteTrustOnFirstUse(policy: Policy, results: readonly CheckedImage[], options: CheckOptions) {
  const { trustOnFirstUseNote } = await import('../tofu-note');
  const note = trustOnFirstUseNote(
    policy,
    results.map((result) => result.name),
    options,
  );
  if (note) process.stderr.write(note);
}

/** `object` and `path` of the contract, for images from manifests. */
function located(source: ImageSource) {
  return source.object ? { object: source.object, path: source.path ?? null } : {};
}

async function writeReport(file: string, entries: Parameters<typeof import('../junit-report').junitReport>[0]) {
  const { junitReport } = await import('../junit-report');
  await writeFile(file, junitReport(entries));
}

/** The `check --json` image object of the contract, with null for what is unknown. */
function contractShape(checked: CheckedImage) {
  return {
    image: checked.image,
    name: checked.name,
    tag: checked.tag,
    digest: checked.digest,
    reference: checked.reference,
    allowed: checked.allowed,
    code: checked.code,
    reason: checked.reason,
    signedDigest: checked.signedDigest ?? null,
    // Absent when no format ran (a rule allowed or denied the image), or when there is nothing to say.
    ...(checked.format !== undefined ? { format: checked.format } : {}),
    ...(checked.warnings?.length ? { warnings: checked.warnings } : {}),
    ...(checked.formats ? { formats: checked.formats } : {}),
  };
}

/**
 * The table: images from the command line one a line; images from manifests grouped under their object, each with
 * its field path.
 */
function textLines(entries: readonly { source: ImageSource; checked: CheckedImage }[]): string {
  const width = Math.min(80, Math.max(...entries.map(({ checked }) => checked.image.length)));
  const line = (indent: string, checked: CheckedImage, path?: string) =>
    `${indent}${checked.allowed ? 'allow' : 'deny '}  ${path ? `${path}  ` : ''}${checked.image.padEnd(width)}  ${checked.code}: ${checked.reason}\n`;
  let out = '';
  let group: string | undefined;
  for (const { source, checked } of entries) {
    if (!source.object) {
      out += line('', checked);
      continue;
    }
    const name = describeObject(source.object);
    if (name !== group) out += `${name}\n`;
    group = name;
    out += line('  ', checked, source.path);
  }
  return out;
}

function progressReporter(total: number): () => void {
  if (total < PROGRESS_FROM) return () => {};
  let done = 0;
  const tty = process.stderr.isTTY;
  process.stderr.write(`checking ${total} images…\n`);
  return () => {
    done += 1;
    if (tty) process.stderr.write(`\r${done}/${total}${done === total ? '\n' : ''}`);
    else if (done === total || done % 25 === 0) process.stderr.write(`${done}/${total} checked\n`);
  };
}

/** Maps with at most `limit` calls in flight, keeping the input order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `check -f FILE --pin`: the file with its tag-only images pinned (the same pins `/mutate` makes, from the same
 * policy) on stdout, and the verdicts of the images as pinned on stderr; the exit code says whether the webhook
 * would then admit them all.
 */
async function pin(args: string[], options: CheckOptions): Promise<number> {
  if (options.file?.length !== 1 || args.length > 0 || options.json) {
    throw new InvalidInputError('--pin takes exactly one -f FILE, no image arguments and no --json');
  }
  const text = await readInput(options.file[0]!);
  const [{ pinManifests }, { cliRuntime }] = await Promise.all([
    import('../../shared/mutate/pin-manifests'),
    import('../../shared/runtime/cli-runtime'),
  ]);
  const runtime = await cliRuntime(options);
  const nowMs = runtime.clock();
  const pinned = await pinManifests(text, runtime.pinner, { nowMs });
  const { imagesFromManifests } = await import('../../shared/admission/manifests');
  const unique = [...new Set(imagesFromManifests(pinned.text).map((image) => image.image))];
  const results = await mapConcurrently(unique, CONCURRENCY, (image) => runtime.engine.checkImage(image, { nowMs }));
  await runtime.flush();
  await noteTrustOnFirstUse(runtime.policy, results, options);
  process.stdout.write(pinned.text);
  const pins = pinned.pins.length;
  process.stderr.write(`notary-gate: pinned ${pins} image${pins === 1 ? '' : 's'}\n`);
  if (results.length > 0)
    process.stderr.write(textLines(results.map((checked) => ({ source: { image: checked.image }, checked }))));
  return results.every((result) => result.allowed) ? EXIT.ok : EXIT.denied;
}
