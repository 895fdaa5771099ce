import picomatch from 'picomatch';
// A namespace import, not `{ z }`: esbuild then keeps only the zod parts used (without it, every locale: +360 KiB).
import * as z from 'zod';

/**
 * Building blocks of the policy schema, shared by the policy's own fields (./schema.ts) and the sections of the
 * signature format modules (shared/verify/format.ts), which import them from here (schema.ts imports the modules).
 */

export const MODES = ['enforce', 'audit'] as const;

export const text = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });
export const mode = z.enum(MODES, { error: `must be one of ${MODES.join(', ')}` });
export const flag = z.boolean({ error: 'must be true or false' });
export const seconds = z
  .number({ error: 'must be a number of seconds' })
  .int({ error: 'must be a whole number of seconds' })
  .min(0, { error: 'must not be negative' });
export const envName = z
  .string({ error: 'must be the name of an environment variable' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be the name of an environment variable, e.g. NOTARY_PASSWORD' });

export const glob = text.refine(
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

export const httpsUrl = text.refine(
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

/**
 * A Secrets Manager ARN with its 6-character suffix: the deployed function is granted read on exactly this ARN
 * (a partial ARN or a bare name would need a wildcard grant).
 */
export const secretsManagerArn = z
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
export const authSchema = z
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

export type AuthDocument = z.output<typeof authSchema>;

/** The first line of a PEM block: a value holding it is PEM text given inline, not a path to a file. */
export const PEM_MARKER = '-----BEGIN ';
export const isInlinePem = (value: string): boolean => value.includes(PEM_MARKER);
