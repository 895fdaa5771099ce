import picomatch from 'picomatch';
// A namespace import, not `{ z }`: esbuild then keeps only the zod parts used (without it, every locale: +360 KiB).
import * as z from 'zod';
import { formatPath } from '../admission/field-path';

/**
 * The policy file's schema: what a person writes (paths, env variable names), before the loader resolves files and
 * credentials into the Policy type. Objects are strict so that a misspelt field fails instead of being ignored.
 * Defaults live here and nowhere else.
 */

export const POLICY_DEFAULTS = {
  mode: 'enforce',
  defaultAction: 'deny',
  action: 'verify',
  requireDigest: true,
  mutateDigest: true,
  skipUnchangedImages: false,
  exemptNamespaces: [] as string[],
  freshTtlSeconds: 300,
  maxStaleSeconds: 3600,
} as const;

const MODES = ['enforce', 'audit'] as const;
const ACTIONS = ['verify', 'allow', 'deny'] as const;

const text = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });
const mode = z.enum(MODES, { error: `must be one of ${MODES.join(', ')}` });
const flag = z.boolean({ error: 'must be true or false' });
const seconds = z
  .number({ error: 'must be a number of seconds' })
  .int({ error: 'must be a whole number of seconds' })
  .min(0, { error: 'must not be negative' });
const envName = z
  .string({ error: 'must be the name of an environment variable' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be the name of an environment variable, e.g. NOTARY_PASSWORD' });

const glob = text.refine(
  (pattern) => {
    try {
      picomatch.makeRe(pattern);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'is not a valid glob' },
);

const httpsUrl = text.refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.username === '' && url.password === '' && !url.search && !url.hash;
    } catch {
      return false;
    }
  },
  { error: 'must be an https URL without credentials, query or fragment, e.g. https://notary.example.com' },
);

const roleName = text.regex(/^targets(\/[A-Za-z0-9_.-]+)*$/, {
  error: 'must be a Notary targets role, e.g. targets/releases',
});

/**
 * A Secrets Manager ARN with its 6-character suffix: the deployed function is granted read on exactly this ARN
 * (a partial ARN or a bare name would need a wildcard grant).
 */
const secretsManagerArn = z
  .string({ error: 'must be a Secrets Manager secret ARN' })
  .regex(/^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/, {
    error:
      'must be the complete ARN of a Secrets Manager secret, with its 6-character suffix, ' +
      'e.g. arn:aws:secretsmanager:eu-west-1:123456789012:secret:notary-pull-AbCdEf',
  });

const ENV_AUTH_FIELDS = ['username', 'usernameEnv', 'passwordEnv'] as const;

/**
 * Two forms, exactly one per rule: `secretArn` (a Secrets Manager secret holding `{"username", "password"}`, for the
 * deployed Lambda), or `usernameEnv` (or a plain `username`) with `passwordEnv` (environment variables, for the CLI).
 */
const authSchema = z
  .strictObject(
    {
      secretArn: secretsManagerArn.optional(),
      username: text.optional(),
      usernameEnv: envName.optional(),
      passwordEnv: envName.optional(),
      // Declared only to give a precise refusal: credentials never sit in the policy file.
      password: z.unknown().optional(),
    },
    { error: 'must be an object with secretArn, or with usernameEnv (or username) and passwordEnv' },
  )
  .superRefine((auth, ctx) => {
    const envFields = ENV_AUTH_FIELDS.filter((field) => auth[field] !== undefined);
    if (auth.password !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message:
          'plain passwords are not allowed in the policy; name an environment variable with passwordEnv, ' +
          'or a Secrets Manager secret with secretArn',
      });
      return;
    }
    if (auth.secretArn !== undefined) {
      if (envFields.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['secretArn'],
          message: `give secretArn alone (the secret holds username and password), not with ${envFields.join(', ')}`,
        });
      }
      return;
    }
    if (envFields.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'give secretArn, or usernameEnv (or username) and passwordEnv',
      });
      return;
    }
    if (auth.passwordEnv === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['passwordEnv'],
        message: 'must name the environment variable with the password',
      });
    }
    if ((auth.username === undefined) === (auth.usernameEnv === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['usernameEnv'], message: 'give exactly one of username or usernameEnv' });
    }
  });

const notarySchema = z.strictObject(
  {
    server: httpsUrl,
    /** PEM text, or a path relative to the policy file. */
    caFile: text.optional(),
    /** Each: PEM text, or a path relative to the policy file. */
    rootKeys: z.array(text, { error: 'must be a list of PEM texts or file paths' }).default([]),
    delegations: z
      .array(roleName, { error: 'must be a list of roles' })
      .min(1, { error: 'must name at least one role (or be left out)' })
      .optional(),
    auth: authSchema.optional(),
  },
  { error: 'must be an object with at least server' },
);

const ruleSchema = z
  .strictObject(
    {
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
      notary: notarySchema.optional(),
    },
    { error: 'must be an object with match and action' },
  )
  .superRefine((rule, ctx) => {
    // Fail at load time rather than deny every image of the rule at admission time.
    if (rule.action === 'verify' && rule.notary === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['notary'],
        message: 'is required when action is verify (the default); or set action: allow or deny',
      });
    }
  });

export const policySchema = z.strictObject(
  {
    mode: mode.default(POLICY_DEFAULTS.mode),
    defaultAction: z.enum(['allow', 'deny'], { error: 'must be allow or deny' }).default(POLICY_DEFAULTS.defaultAction),
    rules: z.array(ruleSchema, { error: 'must be a list of rules' }).default([]),
    exemptNamespaces: z.array(text, { error: 'must be a list of namespace names' }).default([]),
    skipUnchangedImages: flag.default(POLICY_DEFAULTS.skipUnchangedImages),
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

export type PolicyDocument = z.output<typeof policySchema>;
export type NotaryDocument = z.output<typeof notarySchema>;
export type AuthDocument = z.output<typeof authSchema>;

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
