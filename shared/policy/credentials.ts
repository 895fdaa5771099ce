import { FORMAT_MODULES } from '../formats/modules';
import { registryAuthReferences } from '../registry/policy-section';
import { type FormatModule, sectionOf } from '../verify/format';
import type { AuthDocument, PolicyDocument } from './schema';

/**
 * Credentials of an `auth` document of a rule's format section, resolved once when the policy loads: from environment variables
 * (`usernameEnv`/`username` + `passwordEnv`, for the CLI) or from a Secrets Manager secret (`secretArn`, for the
 * deployed Lambda, whose environment must not hold secrets). Nothing here talks to AWS: the secret reader is
 * injected, so tests pass a fake and the runtime passes Powertools Parameters (shared/runtime/secrets.ts).
 * Secret values never appear in an error message.
 */

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** The string value of a secret, by ARN. Rejects when the secret cannot be read (missing, access denied, binary). */
export type PolicySecretReader = (secretArn: string) => Promise<string>;

export interface CredentialSources {
  /** Where `usernameEnv`/`passwordEnv` are looked up. */
  readonly env: NodeJS.ProcessEnv;
  /** Reads `secretArn` secrets; absent: a rule with `secretArn` is refused (nowhere to read it from). */
  readonly readSecret?: PolicySecretReader;
}

/** Where a rule's credentials come from, for the deployment check (infra/validate-policy.ts). */
export type CredentialReference =
  | { readonly field: string; readonly kind: 'secret'; readonly secretArn: string }
  | { readonly field: string; readonly kind: 'env'; readonly envNames: readonly string[] };

/**
 * Every credential a policy names, from each format section of each rule (`rules[i].notary.auth`) and from the
 * `registries:` section (`registries["host"].auth`), with its form.
 */
export function credentialReferences(
  document: PolicyDocument,
  modules: readonly FormatModule[] = FORMAT_MODULES,
): CredentialReference[] {
  const fromRules = document.rules.flatMap((rule, index) =>
    modules.flatMap((module) => {
      const section = sectionOf(rule, module.key);
      return section === undefined ? [] : module.secretReferences(section, `rules[${index}].${module.key}`);
    }),
  );
  const fromRegistries = registryAuthReferences(document.registries).map(({ field, auth }) =>
    authReference(auth, field),
  );
  return [...fromRules, ...fromRegistries];
}

/** The reference of one `auth` document at `field`, for a format module's `secretReferences`. */
export function authReference(auth: AuthDocument, field: string): CredentialReference {
  if (auth.secretArn !== undefined) return { field, kind: 'secret', secretArn: auth.secretArn };
  const envNames = [auth.usernameEnv, auth.passwordEnv].filter((name): name is string => name !== undefined);
  return { field, kind: 'env', envNames };
}

/**
 * Resolves `auth` into credentials, or calls `fail` with a message naming the field. `readSecret` is called at
 * most once per ARN per resolver, however many rules share the secret.
 */
export function credentialResolver(
  sources: CredentialSources,
  fail: (message: string) => never,
): (auth: AuthDocument, field: string) => Promise<Credentials> {
  const secrets = new Map<string, Promise<string>>();
  const readOnce = (arn: string, reader: PolicySecretReader): Promise<string> => {
    let value = secrets.get(arn);
    if (value === undefined) {
      value = reader(arn);
      secrets.set(arn, value);
    }
    return value;
  };

  return async (auth, field) => {
    if (auth.secretArn === undefined) return fromEnv(auth, field, sources.env, fail);
    const at = `${field}.secretArn`;
    const arn = auth.secretArn;
    if (sources.readSecret === undefined) {
      return fail(`${at}: secrets cannot be read here (no Secrets Manager access was configured)`);
    }
    let value: string;
    try {
      value = await readOnce(arn, sources.readSecret);
    } catch (error) {
      return fail(`${at}: cannot read the secret ${arn}: ${describeReadError(error)}`);
    }
    const parsed = parseCredentialSecret(value);
    return typeof parsed === 'string' ? fail(`${at}: the secret ${arn} ${parsed}`) : parsed;
  };
}

/**
 * The secret's JSON `{"username": "...", "password": "..."}` (other keys are ignored, so a secret may also note the
 * server), or what is wrong with it. The value itself is never echoed: JSON.parse's message quotes the text.
 */
export function parseCredentialSecret(value: string): Credentials | string {
  const expected = 'must hold JSON {"username": "...", "password": "..."}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return `is not JSON; it ${expected}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return `is not a JSON object; it ${expected}`;
  const record = parsed as Record<string, unknown>;
  for (const key of ['username', 'password']) {
    if (typeof record[key] !== 'string' || record[key] === '') return `has no "${key}" string; it ${expected}`;
  }
  const credentials = { username: record.username as string, password: record.password as string };
  const problem = checkUsername(credentials.username);
  return problem ? `has a "username" that ${problem}` : credentials;
}

function fromEnv(
  auth: AuthDocument,
  field: string,
  env: NodeJS.ProcessEnv,
  fail: (message: string) => never,
): Credentials {
  const lookup = (name: string, at: string): string => {
    // Own string values only: a name such as `constructor` must not find Object.prototype's members.
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    return typeof value === 'string' && value !== ''
      ? value
      : fail(`${field}.${at}: environment variable ${name} is not set`);
  };
  const username = auth.usernameEnv ? lookup(auth.usernameEnv, 'usernameEnv') : String(auth.username);
  const password = lookup(String(auth.passwordEnv), 'passwordEnv');
  const problem = checkUsername(username);
  if (problem) fail(`${field}.${auth.usernameEnv ? 'usernameEnv' : 'username'}: the username ${problem}`);
  return { username, password };
}

/** Basic authentication joins `username:password`: a colon in the username would shift it into the password. */
function checkUsername(username: string): string | undefined {
  return username.includes(':') ? 'must not contain ":" (Basic authentication cannot carry it)' : undefined;
}

/** The reader's failure, in one line: the SDK's error name and message hold no secret material. */
function describeReadError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 200);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const name = cause?.name && cause.name !== 'Error' ? cause.name : error.name !== 'Error' ? error.name : '';
  const message = (error.message.split('\n')[0] ?? '').slice(0, 300);
  return name ? `${name}: ${message}` : message;
}
