import * as z from 'zod';
import { authReference } from '../policy/credentials';
import { authSchema, httpsUrl, isInlinePem, text } from '../policy/schema-parts';
import { withoutTrailingSlashes } from '../url';
import type { FormatModule } from '../verify/format';
import type { NotarySettings } from './settings';
import { pinsFingerprint } from './trust-identity';
import { NOTARY_V1_FORMAT, NotaryVerifier } from './verifier';

/**
 * Notary v1 (Docker Content Trust, verified as TUF) as a format module: the rule's `notary:` section.
 * See shared/verify/format.ts for what each member is for.
 */

declare module '../verify/format' {
  interface FormatSections {
    /** The resolved `notary:` section. */
    notary: NotarySettings;
  }
}

const roleName = text.regex(/^targets(\/[A-Za-z0-9_.-]+)*$/, {
  error: 'must be a Notary targets role, e.g. targets/releases',
});

const notarySectionSchema = z.strictObject(
  {
    /** One identity per server: `https://n.example/` and `https://n.example` are one server (and one cache key). */
    server: httpsUrl.transform(withoutTrailingSlashes),
    /** PEM text, or a path relative to the policy file. */
    caFile: text.optional(),
    /** Each: PEM text, or a path relative to the policy file. */
    rootKeys: z.array(text, { error: 'must be a list of PEM texts or file paths' }).default([]),
    delegations: z
      .array(roleName, { error: 'must be a list of roles' })
      .min(1, { error: 'must name at least one role (or be left out)' })
      .optional(),
    auth: authSchema.optional(),
    /**
     * Hosts besides the server's own whose token realm may receive `auth` (Docker Hub: auth.docker.io). Beside
     * `auth` rather than in it: the auth schema is shared with the registries: section, which has no such rule.
     */
    tokenRealmHosts: z
      .array(
        z
          .string({ error: 'must be a host name' })
          .regex(/^[A-Za-z0-9.-]+$/, { error: 'must be a host name (no scheme, port or path)' }),
        { error: 'must be a list of host names' },
      )
      .optional(),
  },
  { error: 'must be an object with at least server' },
);

export type NotarySection = z.output<typeof notarySectionSchema>;

export const notaryModule: FormatModule<NotarySection, NotarySettings> = {
  key: 'notary',
  format: NOTARY_V1_FORMAT,
  unreachableCode: 'NOTARY_UNREACHABLE',
  schema: notarySectionSchema,
  fileFields: [
    { name: 'caFile', kind: 'file', isInline: isInlinePem },
    { name: 'rootKeys', kind: 'files', isInline: isInlinePem },
  ],
  secretReferences: (section, field) => (section.auth ? [authReference(section.auth, `${field}.auth`)] : []),
  async resolve(section, ctx) {
    const ca = section.caFile === undefined ? undefined : await ctx.readPem(section.caFile, `${ctx.field}.caFile`);
    const rootKeys = await Promise.all(
      section.rootKeys.map((key, index) => ctx.readPem(key, `${ctx.field}.rootKeys[${index}]`)),
    );
    const auth = section.auth ? await ctx.resolveAuth(section.auth, `${ctx.field}.auth`) : undefined;
    const settings = { server: section.server, ca, rootKeys, delegations: section.delegations, auth };
    if (!section.tokenRealmHosts) return settings; // the server's own host only (the Notary client's default)
    const hosts = [new URL(section.server).hostname, ...section.tokenRealmHosts].map((host) => host.toLowerCase());
    return { ...settings, tokenRealmHosts: [...new Set(hosts)] };
  },
  settingsFingerprint: (settings) => pinsFingerprint(settings.rootKeys),
  createVerifier: ({ policy, cache, observer, registry }) =>
    new NotaryVerifier({
      cache: cache.trustCache,
      store: cache.store,
      observer,
      registry,
      registries: policy.registries,
      freshTtlMs: policy.cache.freshTtlSeconds * 1000,
      maxStaleMs: policy.cache.maxStaleSeconds * 1000,
    }),
};
