import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { InvalidPolicyError } from '../shared/errors';
import { FORMAT_MODULES } from '../shared/formats/modules';
import { MAX_ALIAS_COUNT } from '../shared/policy/parse-text';
import { isInlinePem as isPem } from '../shared/policy/schema-parts';
import type { FileField, FormatModule } from '../shared/verify/format';

/**
 * Packs a policy file for the Lambda bundle. Lambda environment variables hold 4 KB in all, so the policy ships as
 * a file inside the code asset instead. The files and folders a policy refers to (each format module's `fileFields`,
 * e.g. `notary.caFile`, `notary.rootKeys` given as paths) exist only on the deploying machine, so they are copied next
 * to it and the references rewritten to those copies: the staged directory is self-contained and the Lambda reads
 * exactly what was validated at synth time.
 */

/**
 * Folder of the policy inside the Lambda code asset, and its file name. The staged policy is the validated
 * document written by `JSON.stringify`, which the loader reads without loading a YAML parser
 * (shared/policy/parse-text.ts): a shorter cold start. Comments of the source are not kept.
 */
export const BUNDLED_POLICY_DIR = 'policy';
export const BUNDLED_POLICY_FILE = 'policy.json';
/** Where Lambda unpacks the code asset (LAMBDA_TASK_ROOT). */
export const LAMBDA_TASK_ROOT = '/var/task';
/** A policy larger than this is surely a mistake (the real ones are a few KB). */
const MAX_POLICY_BYTES = 1024 * 1024;
/**
 * A staged folder (a trust store) holds a few certificates; past these it is surely the wrong folder (a home
 * directory), which would bloat the Lambda bundle. The loader bounds each file it reads the same way.
 */
export const MAX_STAGED_DIRECTORY_FILES = 200;
export const MAX_STAGED_DIRECTORY_BYTES = 4 * 1024 * 1024;
/** Notation's trust store is `x509/<type>/<name>/<file>`: four levels; a deeper tree (or a symlink loop) is refused. */
export const MAX_STAGED_DIRECTORY_DEPTH = 6;

export interface StagedPolicy {
  /** Self-contained folder: policy.json and the files it refers to. */
  readonly dir: string;
  /** Absolute path of the staged policy file (policy.json). */
  readonly file: string;
  /** Source files copied, for messages. */
  readonly copied: readonly string[];
}

/** Copies `policyFile` and the files it refers to into a new folder (under `stagingRoot`, default the OS temp dir). */
export function stagePolicy(
  policyFile: string,
  stagingRoot: string = tmpdir(),
  formats: readonly FormatModule[] = FORMAT_MODULES,
): StagedPolicy {
  const source = resolve(policyFile);
  const text = readPolicyText(source);
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new InvalidPolicyError(`${policyFile}: not valid YAML or JSON: ${document.errors[0]?.message}`);
  }
  const dir = mkdtempSync(join(stagingRoot, 'notary-gate-policy-'));
  mkdirSync(join(dir, 'files'));
  const copied: string[] = [];
  const copyReference = (reference: string, kind: FileField['kind']): string => {
    const from = isAbsolute(reference) ? reference : resolve(dirname(source), reference);
    const name = `${copied.length}-${basename(from)}`;
    try {
      if (kind === 'directory') {
        checkDirectorySize(from);
        cpSync(from, join(dir, 'files', name), { recursive: true, dereference: true });
      } else {
        copyFileSync(from, join(dir, 'files', name));
      }
    } catch (error) {
      if (error instanceof InvalidPolicyError) throw new InvalidPolicyError(`${policyFile}: ${error.message}`);
      const what = kind === 'directory' ? 'folder' : 'file';
      throw new InvalidPolicyError(`${policyFile}: cannot read the ${what} it refers to, ${reference}`, {
        cause: error,
      });
    }
    copied.push(from);
    return `./files/${name}`;
  };
  rewriteFileReferences(document.contents, formats, copyReference);
  const file = join(dir, BUNDLED_POLICY_FILE);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new InvalidPolicyError(`${policyFile}: not valid YAML: ${(error as Error).message}`);
  }
  writeFileSync(file, `${JSON.stringify(value)}\n`);
  return { dir, file, copied };
}

/** A PEM block given inline rather than a path to one. */
export const isInlinePem = isPem;

/** Rewrites, in place, every file field of every format section of every rule (`rules[*].<section>.<field>`). */
function rewriteFileReferences(
  root: unknown,
  formats: readonly FormatModule[],
  rewrite: (reference: string, kind: FileField['kind']) => string,
): void {
  if (!isMap(root)) return;
  const rules = root.get('rules');
  if (!isSeq(rules)) return;
  for (const rule of rules.items) {
    if (!isMap(rule)) continue;
    for (const module of formats) {
      const section = rule.get(module.key);
      if (isMap(section)) for (const field of module.fileFields) rewriteField(section, field, rewrite);
    }
  }
}

function rewriteField(
  section: YAMLMap,
  field: FileField,
  rewrite: (reference: string, kind: FileField['kind']) => string,
): void {
  const isPath = (value: unknown): value is string =>
    typeof value === 'string' && value !== '' && !(field.isInline?.(value) ?? false);
  if (field.kind === 'files') {
    const list = section.get(field.name);
    if (!isSeq(list)) return;
    for (const item of list.items) {
      if (isScalar(item) && isPath(item.value)) item.value = rewrite(item.value, 'file');
    }
    return;
  }
  const value = section.get(field.name);
  if (isPath(value)) section.set(field.name, rewrite(value, field.kind));
}

/** Refuses a folder past MAX_STAGED_DIRECTORY_FILES files or MAX_STAGED_DIRECTORY_BYTES bytes, before copying it. */
function checkDirectorySize(path: string): void {
  let files = 0;
  let bytes = 0;
  const walk = (folder: string, depth: number): void => {
    if (depth > MAX_STAGED_DIRECTORY_DEPTH) {
      throw new InvalidPolicyError(`the folder ${path} is nested deeper than ${MAX_STAGED_DIRECTORY_DEPTH} levels`);
    }
    for (const entry of readdirSync(folder)) {
      const child = join(folder, entry);
      const info = statSync(child);
      if (info.isDirectory()) {
        walk(child, depth + 1);
        continue;
      }
      files += 1;
      bytes += info.size;
      if (files > MAX_STAGED_DIRECTORY_FILES || bytes > MAX_STAGED_DIRECTORY_BYTES) {
        throw new InvalidPolicyError(
          `the folder ${path} holds more than ${MAX_STAGED_DIRECTORY_FILES} files or ${MAX_STAGED_DIRECTORY_BYTES} bytes; name the trust store folder itself`,
        );
      }
    }
  };
  if (!statSync(path).isDirectory()) throw new InvalidPolicyError(`${path} is not a folder`);
  walk(path, 1);
}

function readPolicyText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InvalidPolicyError(`cannot read the policy file ${file}`, { cause: error });
  }
  if (bytes.length > MAX_POLICY_BYTES) throw new InvalidPolicyError(`${file} is larger than ${MAX_POLICY_BYTES} bytes`);
  return bytes.toString('utf8');
}
