import { dirname, isAbsolute, resolve } from 'node:path';
import { ENV } from '../constants';
import { InvalidPolicyError } from '../errors';
import { FORMAT_MODULES } from '../formats/modules';
import { readFile, stat } from '../fs-promised';
import { resolveRegistries } from '../registry/policy-section';
import { type FormatModule, type SectionContext, sectionOf } from '../verify/format';
import { credentialResolver, type PolicySecretReader } from './credentials';
import { withoutHeader } from './header';
import { parsePolicyText } from './parse-text';
import { describeIssues, POLICY_DEFAULTS, type PolicyDocument, policySchemaFor } from './schema';
import { PEM_MARKER } from './schema-parts';
import type { Policy, Rule } from './types';

/**
 * Loads the policy: YAML or JSON text (a file, or inline), validated by the schema, then resolved: each format
 * section of a rule is resolved by its format module (files it names, relative to the policy file's folder, become
 * their contents; `auth` credentials are read from the environment variables or the Secrets Manager secrets the
 * policy names, shared/policy/credentials.ts). Every failure is an InvalidPolicyError naming the field.
 */

/** Policy files and the PEM files they name are small; anything larger is a mistake. */
export const MAX_FILE_BYTES = 1024 * 1024;

/**
 * The embedded default (`npm start` with no policy): enforce, and deny every image because no rule matches.
 * Fail closed: nothing runs until a policy says what to trust.
 */
export const DEFAULT_POLICY: Policy = Object.freeze({
  mode: POLICY_DEFAULTS.mode,
  defaultAction: POLICY_DEFAULTS.defaultAction,
  rules: Object.freeze([]),
  exemptNamespaces: Object.freeze([]),
  skipUnchangedImages: POLICY_DEFAULTS.skipUnchangedImages,
  cache: Object.freeze({
    freshTtlSeconds: POLICY_DEFAULTS.freshTtlSeconds,
    maxStaleSeconds: POLICY_DEFAULTS.maxStaleSeconds,
  }),
});

export interface PolicySource {
  /** A policy file; relative paths inside it resolve against its folder. */
  readonly file?: string;
  /** Inline YAML or JSON; relative paths inside it resolve against baseDir (default: the working directory). */
  readonly text?: string;
  readonly baseDir?: string;
  /** Where `usernameEnv`/`passwordEnv` are looked up (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Reads `auth.secretArn` secrets (Secrets Manager at runtime, a fake in tests); called once per ARN. Absent: a
   * policy with `secretArn` is refused.
   */
  readonly readSecret?: PolicySecretReader;
  /**
   * Validate only (e.g. at `cdk synth`, where the runtime's secrets are absent): files are still read, but
   * credentials are not looked up (no environment variable, no secret read) and `auth` stays undefined.
   */
  readonly validateOnly?: boolean;
  /** The signature formats the policy may name (default: all of FORMAT_MODULES); tests add their own. */
  readonly formats?: readonly FormatModule[];
}

/** The text and where relative paths in it resolve, for a file or an inline policy. */
interface PolicyText {
  readonly text: string;
  readonly baseDir: string;
  readonly fail: (message: string) => never;
}

export async function loadPolicy(source: PolicySource): Promise<Policy> {
  const { text, baseDir, fail } = await readPolicyText(source);
  const formats = source.formats ?? FORMAT_MODULES;
  const document = await validate(text, fail, formats);
  const resolveAuth = credentialResolver({ env: source.env ?? process.env, readSecret: source.readSecret }, fail);
  const context = (field: string): SectionContext => ({
    field,
    baseDir,
    validateOnly: source.validateOnly === true,
    fail,
    resolvePath: (value) => resolve(baseDir, value),
    readText: (value, at) => readText(resolve(baseDir, value), at, fail),
    readPem: (value, at) => readPem(value, at, baseDir, fail),
    resolveAuth: async (auth, at) => (source.validateOnly ? undefined : resolveAuth(auth, at)),
  });
  const rules = await Promise.all(
    document.rules.map(async (rule, index): Promise<Rule> => {
      // In the module list's order, so that combined verdicts list formats in one order whatever the file's.
      const sections = await Promise.all(
        formats.map(async (module) => {
          const section = sectionOf(rule, module.key);
          if (section === undefined) return [];
          return [[module.key, await module.resolve(section, context(`rules[${index}].${module.key}`))] as const];
        }),
      );
      return {
        match: rule.match,
        action: rule.action,
        requireDigest: rule.requireDigest,
        mutateDigest: rule.mutateDigest,
        mode: rule.mode,
        require: rule.require,
        ...Object.fromEntries(sections.flat()),
      };
    }),
  );
  const registries = await resolveRegistries(document.registries, {
    readPem: (value, at) => readPem(value, at, baseDir, fail),
    resolveAuth: source.validateOnly ? undefined : resolveAuth,
  });
  return {
    mode: document.mode,
    defaultAction: document.defaultAction,
    rules,
    exemptNamespaces: document.exemptNamespaces,
    skipUnchangedImages: document.skipUnchangedImages,
    // Left out when the policy has no `registries:` (the same as empty), so policies without one load as before.
    ...(Object.keys(registries).length > 0 && { registries }),
    cache: document.cache,
  };
}

/**
 * The policy as written, validated by the schema but not resolved: no file, variable or secret is read beyond the
 * policy itself. For checks on the policy's form, e.g. which secrets a deployment must be allowed to read.
 */
export async function readPolicyDocument(
  source: Pick<PolicySource, 'file' | 'text' | 'formats'>,
): Promise<PolicyDocument> {
  const { text, fail } = await readPolicyText(source);
  return validate(text, fail, source.formats ?? FORMAT_MODULES);
}

async function readPolicyText(source: PolicySource): Promise<PolicyText> {
  if ((source.file === undefined) === (source.text === undefined)) {
    throw new InvalidPolicyError('give exactly one of a policy file or a policy text');
  }
  const label = source.file ?? 'inline policy';
  const text = source.file === undefined ? (source.text as string) : await readSmallFile(source.file, 'policy file');
  const baseDir = source.file === undefined ? resolve(source.baseDir ?? process.cwd()) : dirname(resolve(source.file));
  const fail = (message: string): never => {
    throw new InvalidPolicyError(`invalid policy (${label}): ${message}`);
  };
  return { text, baseDir, fail };
}

async function validate(
  text: string,
  fail: (message: string) => never,
  formats: readonly FormatModule[],
): Promise<PolicyDocument> {
  const parsed = policySchemaFor(formats).safeParse(withoutHeader(await parsePolicyText(text, fail), fail));
  return parsed.success ? parsed.data : fail(describeIssues(parsed.error));
}

/**
 * The policy for the Lambda and `serve`: `POLICY` (inline YAML/JSON), or `POLICY_FILE` (relative to baseDir), or the
 * embedded DEFAULT_POLICY when neither is set. Both set is an error: one of them would be silently ignored.
 */
export async function policyFromEnv(
  env: NodeJS.ProcessEnv,
  baseDir: string,
  options: { readSecret?: PolicySecretReader; formats?: readonly FormatModule[] } = {},
): Promise<Policy> {
  const inline = env[ENV.policy];
  const file = env[ENV.policyFile];
  if (inline && file) throw new InvalidPolicyError(`set ${ENV.policy} or ${ENV.policyFile}, not both`);
  const { readSecret, formats } = options;
  if (inline) return loadPolicy({ text: inline, baseDir, env, readSecret, formats });
  if (file) return loadPolicy({ file: isAbsolute(file) ? file : resolve(baseDir, file), env, readSecret, formats });
  return DEFAULT_POLICY;
}

/** PEM text as given, or the contents of a PEM file relative to the policy's folder. */
async function readPem(
  value: string,
  field: string,
  baseDir: string,
  fail: (message: string) => never,
): Promise<string> {
  if (value.includes(PEM_MARKER)) return value;
  const contents = await readText(resolve(baseDir, value), field, fail);
  if (!contents.includes(PEM_MARKER)) return fail(`${field}: ${value} is not a PEM file (no "${PEM_MARKER}" line)`);
  return contents;
}

/** A small file named by a policy field; failures name the field. */
async function readText(path: string, field: string, fail: (message: string) => never): Promise<string> {
  try {
    return await readSmallFile(path, 'file');
  } catch (error) {
    return fail(`${field}: ${(error as Error).message}`);
  }
}

async function readSmallFile(path: string, what: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InvalidPolicyError(`cannot read ${what} ${path}: not a file`);
    if (info.size > MAX_FILE_BYTES) {
      throw new InvalidPolicyError(`cannot read ${what} ${path}: larger than ${MAX_FILE_BYTES} bytes`);
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof InvalidPolicyError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new InvalidPolicyError(`cannot read ${what} ${path}: ${why}`, { cause: error });
  }
}
