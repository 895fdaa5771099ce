/**
 * The policy's top-level `registries:` section (not a signature format: it says how to reach registries, for every
 * format, tag resolution and multi-arch checks): per `host[:port]`, `caFile`, `plainHttp` (loopback hosts only),
 * `endpoint` (connect elsewhere, names and auth stay the host's) and `auth` (as a rule's `notary.auth`: env
 * variables for the CLI, `secretArn` for the Lambda). Schema here, resolution (files, credentials) by the loader.
 */
import * as z from 'zod';
import { withoutTrailingSlashes } from '../url';
import { isLoopbackHost } from './loopback';
import type { RegistriesConfig, RegistryConfig } from './settings';
import type { BasicCredentials } from './token-auth';

/** `registry.example.com`, `127.0.0.1:5000`, `[::1]:5000`: a host as image names spell it. */
const HOST_KEY =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::\d{1,5})?$/i;

const hostname = (key: string) => key.replace(/:\d+$/, '');

type AuthDocument = {
  readonly secretArn?: string;
  readonly username?: string;
  readonly usernameEnv?: string;
  readonly passwordEnv?: string;
};

export type RegistriesDocument = Readonly<
  Record<string, { caFile?: string; plainHttp: boolean; endpoint?: string; auth?: AuthDocument }>
>;

const endpointUrl = z.string({ error: 'must be a URL' }).refine(
  (value) => {
    try {
      const url = new URL(value);
      const scheme = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
      const bare = url.username === '' && url.password === '' && url.pathname === '/' && !url.search && !url.hash;
      return scheme && bare;
    } catch {
      return false;
    }
  },
  { error: 'must be an https URL (http only on a loopback host) without path, credentials or query' },
);

/**
 * The section's schema, given the policy's `auth` schema (shared with `notary.auth`; passed in, so that this module
 * does not import the policy schema that includes it).
 */
export function registriesSchemaWith<A extends z.ZodType<AuthDocument>>(authSchema: A) {
  const entrySchema = z
    .strictObject(
      {
        caFile: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
        plainHttp: z.boolean({ error: 'must be true or false' }).default(false),
        endpoint: endpointUrl.optional(),
        auth: authSchema.optional(),
      },
      { error: 'must be an object with caFile, plainHttp, endpoint or auth' },
    )
    .prefault({});
  return z
    .record(z.string(), entrySchema, { error: 'must map registry hosts (host[:port]) to their settings' })
    .default({})
    .superRefine((registries, ctx) => {
      const seen = new Set<string>();
      for (const [key, entry] of Object.entries(registries)) {
        if (!HOST_KEY.test(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'is not a registry host[:port], e.g. registry.example.com',
          });
          continue;
        }
        const normalized = key.toLowerCase();
        if (seen.has(normalized)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'names a host given already (hosts are compared without case)',
          });
        }
        seen.add(normalized);
        if (entry.plainHttp && !isLoopbackHost(hostname(normalized))) {
          ctx.addIssue({
            code: 'custom',
            path: [key, 'plainHttp'],
            message: 'is allowed for loopback hosts only (127.0.0.1, localhost, [::1]); other registries use https',
          });
        }
      }
    });
}

export interface RegistriesResolvers {
  readonly readPem: (value: string, field: string) => Promise<string>;
  /** Absent when only validating (cdk synth): credentials are not looked up. */
  readonly resolveAuth?: (auth: AuthDocument, field: string) => Promise<BasicCredentials>;
}

/** The section resolved: keys lower case, CA files read, credentials looked up. */
export async function resolveRegistries(
  document: RegistriesDocument,
  resolvers: RegistriesResolvers,
): Promise<RegistriesConfig> {
  const entries = await Promise.all(
    Object.entries(document).map(async ([key, entry]): Promise<[string, RegistryConfig]> => {
      const field = `registries["${key}"]`;
      const ca = entry.caFile === undefined ? undefined : await resolvers.readPem(entry.caFile, `${field}.caFile`);
      const auth =
        entry.auth && resolvers.resolveAuth ? await resolvers.resolveAuth(entry.auth, `${field}.auth`) : undefined;
      return [
        key.toLowerCase(),
        {
          ca,
          plainHttp: entry.plainHttp,
          endpoint: entry.endpoint === undefined ? undefined : withoutTrailingSlashes(entry.endpoint),
          auth,
        },
      ];
    }),
  );
  return Object.freeze(Object.fromEntries(entries));
}

/** `registries[host].auth` references, for the deployment check and the secret grants. */
export function registryAuthReferences(document: RegistriesDocument): Array<{ field: string; auth: AuthDocument }> {
  return Object.entries(document).flatMap(([key, entry]) =>
    entry.auth ? [{ field: `registries["${key}"].auth`, auth: entry.auth }] : [],
  );
}
