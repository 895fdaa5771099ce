import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { InvalidPolicyError } from '../shared/errors';

/**
 * Packs a policy file for the Lambda bundle. Lambda environment variables hold 4 KB in all, so the policy ships as
 * a file inside the code asset instead. The files a policy refers to (`caFile`, `rootKeys` given as paths) exist only
 * on the deploying machine, so they are copied next to it and the references rewritten to those copies: the staged
 * directory is self-contained and the Lambda reads exactly what was validated at synth time.
 */

/** Folder of the policy inside the Lambda code asset, and its file name. */
export const BUNDLED_POLICY_DIR = 'policy';
export const BUNDLED_POLICY_FILE = 'policy.yaml';
/** Where Lambda unpacks the code asset (LAMBDA_TASK_ROOT). */
export const LAMBDA_TASK_ROOT = '/var/task';
/** A policy larger than this is surely a mistake (the real ones are a few KB). */
const MAX_POLICY_BYTES = 1024 * 1024;

export interface StagedPolicy {
  /** Self-contained folder: policy.yaml and the files it refers to. */
  readonly dir: string;
  /** Absolute path of the staged policy file. */
  readonly file: string;
  /** Source files copied, for messages. */
  readonly copied: readonly string[];
}

/** Copies `policyFile` and the files it refers to into a new folder (under `stagingRoot`, default the OS temp dir). */
export function stagePolicy(policyFile: string, stagingRoot: string = tmpdir()): StagedPolicy {
  const source = resolve(policyFile);
  const text = readPolicyText(source);
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new InvalidPolicyError(`${policyFile}: not valid YAML or JSON: ${document.errors[0]?.message}`);
  }
  const dir = mkdtempSync(join(stagingRoot, 'notary-gate-policy-'));
  mkdirSync(join(dir, 'files'));
  const copied: string[] = [];
  const copyReference = (reference: string): string => {
    const from = isAbsolute(reference) ? reference : resolve(dirname(source), reference);
    const name = `${copied.length}-${basename(from)}`;
    try {
      copyFileSync(from, join(dir, 'files', name));
    } catch (error) {
      throw new InvalidPolicyError(`${policyFile}: cannot read the file it refers to, ${reference}`, { cause: error });
    }
    copied.push(from);
    return `./files/${name}`;
  };
  rewriteFileReferences(document.contents, copyReference);
  const file = join(dir, BUNDLED_POLICY_FILE);
  writeFileSync(file, document.toString({ lineWidth: 0 }));
  return { dir, file, copied };
}

/** A PEM block given inline rather than a path to one. */
export const isInlinePem = (value: string): boolean => value.includes('-----BEGIN');

/** Rewrites `rules[*].notary.caFile` and the path entries of `rules[*].notary.rootKeys` in place. */
function rewriteFileReferences(root: unknown, rewrite: (reference: string) => string): void {
  if (!isMap(root)) return;
  const rules = root.get('rules');
  if (!isSeq(rules)) return;
  for (const rule of rules.items) {
    if (!isMap(rule)) continue;
    const notary = rule.get('notary');
    if (!isMap(notary)) continue;
    const caFile = notary.get('caFile');
    if (typeof caFile === 'string' && caFile !== '') notary.set('caFile', rewrite(caFile));
    const rootKeys = notary.get('rootKeys');
    if (!isSeq(rootKeys)) continue;
    for (const key of rootKeys.items) {
      if (isScalar(key) && typeof key.value === 'string' && !isInlinePem(key.value)) key.value = rewrite(key.value);
    }
  }
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
