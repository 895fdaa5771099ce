// A namespace import, not `{ z }`: esbuild then keeps only the zod parts used (without it, every locale: +360 KiB).
import * as z from 'zod';
import { formatPath } from '../admission/field-path';
import { FORMAT_MODULES } from '../formats/modules';
import { registriesSchemaWith } from '../registry/policy-section';
import type { FormatModule } from '../verify/format';
import { POLICY_DEFAULTS } from './defaults';
import { authSchema, flag, glob, mode, seconds, text } from './schema-parts';

/**
 * The policy file's schema: what a person writes (paths, env variable names), before the loader resolves files and
 * credentials into the Policy type. Objects are strict so that a misspelt field fails instead of being ignored.
 * Defaults live in ./defaults.ts and are applied here. A rule's signature format sections (`notary:`, ...) come from
 * the format modules (shared/formats/modules.ts): this file names none of them.
 */

export { POLICY_DEFAULTS } from './defaults';
export type { AuthDocument } from './schema-parts';

const ACTIONS = ['verify', 'allow', 'deny'] as const;
export const REQUIRE_VALUES = ['all', 'any'] as const;

const baseRuleShape = {
  match: z
    .union([glob, z.array(glob, { error: 'must be a glob or a list of globs' })], {
      error: 'must be a glob or a list of globs',
    })
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .refine((globs) => globs.length > 0, { error: 'must list at least one glob' }),
  action: z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(', ')}` }).default(POLICY_DEFAULTS.action),
  requireDigest: flag.default(POLICY_DEFAULTS.requireDigest),
  mutateDigest: flag.default(POLICY_DEFAULTS.mutateDigest),
  mode: mode.optional(),
  /** How the rule's format sections combine: `all` must verify, or `any` one of them. */
  require: z
    .enum(REQUIRE_VALUES, { error: `must be one of ${REQUIRE_VALUES.join(', ')}` })
    .default(POLICY_DEFAULTS.require),
};

/** A rule as written: the base fields, and one section per format module it names (typed by its module). */
export type RuleDocument = z.output<z.ZodObject<typeof baseRuleShape>> & { readonly [section: string]: unknown };

function ruleSchemaFor(modules: readonly FormatModule[]) {
  for (const module of modules) {
    if (Object.hasOwn(baseRuleShape, module.key)) {
      throw new Error(`format module ${module.format}: section name ${module.key} is a rule field`);
    }
  }
  const sections = Object.fromEntries(modules.map((module) => [module.key, module.schema.optional()]));
  const names = modules.map((module) => `${module.key}:`).join(' or ');
  return z
    .strictObject({ ...baseRuleShape, ...sections }, { error: 'must be an object with match and action' })
    .superRefine((rule, ctx) => {
      // Fail at load time rather than deny every image of the rule at admission time.
      const record = rule as Record<string, unknown>;
      if (rule.action === 'verify' && !modules.some((module) => record[module.key] !== undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: `needs a signature format section (${names}) when action is verify (the default); or set action: allow or deny`,
        });
      }
    }) as unknown as z.ZodType<RuleDocument>;
}

function policySchemaOf(modules: readonly FormatModule[]) {
  return z.strictObject(
    {
      mode: mode.default(POLICY_DEFAULTS.mode),
      defaultAction: z
        .enum(['allow', 'deny'], { error: 'must be allow or deny' })
        .default(POLICY_DEFAULTS.defaultAction),
      rules: z.array(ruleSchemaFor(modules), { error: 'must be a list of rules' }).default([]),
      exemptNamespaces: z.array(text, { error: 'must be a list of namespace names' }).default([]),
      skipUnchangedImages: flag.default(POLICY_DEFAULTS.skipUnchangedImages),
      registries: registriesSchemaWith(authSchema),
      cache: z
        .strictObject(
          {
            freshTtlSeconds: seconds.default(POLICY_DEFAULTS.freshTtlSeconds),
            maxStaleSeconds: seconds.default(POLICY_DEFAULTS.maxStaleSeconds),
          },
          { error: 'must be an object with freshTtlSeconds and maxStaleSeconds' },
        )
        .prefault({}),
    },
    { error: 'the policy must be a mapping (YAML) or an object (JSON)' },
  );
}

export type PolicyDocument = z.output<ReturnType<typeof policySchemaOf>>;

/** Built once per module list (the default list, or a test's). */
const schemas = new WeakMap<readonly FormatModule[], ReturnType<typeof policySchemaOf>>();

/** The policy schema for a list of format modules (default: every format notary-gate knows). */
export function policySchemaFor(modules: readonly FormatModule[] = FORMAT_MODULES) {
  let schema = schemas.get(modules);
  if (schema === undefined) {
    schema = policySchemaOf(modules);
    schemas.set(modules, schema);
  }
  return schema;
}

/** Every problem, each as `field.path: message`, e.g. `rules[1].notary.server: must be an https URL`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length > 0 ? formatPath(issue.path) : '';
      if (issue.code === 'unrecognized_keys') {
        const fields = issue.keys.map((key) => (where ? `${where}.${key}` : key));
        return `${fields.join(', ')}: unknown field${fields.length > 1 ? 's' : ''}`;
      }
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
