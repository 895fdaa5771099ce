/**
 * A second signature format that exists only in tests, written the way shared/verify/format.ts says a format is
 * written, to prove that a format is a module and nothing else: the `digestList:` section names a file of trusted
 * digests (one `sha256:<hex>` a line) and, optionally, credentials and a warning. Nothing outside this file and the
 * module list a test passes (`[...FORMAT_MODULES, digestListModule]`) knows it.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { TrustError } from '../../shared/errors';
import { authReference } from '../../shared/policy/credentials';
import { authSchema, text } from '../../shared/policy/schema-parts';
import { cacheKey, fingerprintOfSet } from '../../shared/verify/cache-key';
import type { FormatModule } from '../../shared/verify/format';
import type { ImageVerdict, SignatureVerifier } from '../../shared/verify/types';

export interface DigestListSettings {
  /** Absolute path of the list (read at verification time, through the trust cache). */
  readonly file: string;
  /** The list's digests as loaded: the settings fingerprint. */
  readonly digests: readonly string[];
  /** A warning every allowed verdict carries (what a level that only logs would add). */
  readonly warn: string | undefined;
  readonly auth: { username: string; password: string } | undefined;
}

declare module '../../shared/verify/format' {
  interface FormatSections {
    digestList: DigestListSettings;
  }
}

export const DIGEST_LIST_FORMAT = 'digest-list';

const sectionSchema = z.strictObject(
  { file: text, warn: text.optional(), auth: authSchema.optional() },
  { error: 'must be an object with file' },
);
type DigestListSection = z.output<typeof sectionSchema>;

function parseDigests(contents: string): string[] {
  return contents
    .split('\n')
    .map((line) => line.trim().toLowerCase())
    .filter((line) => line !== '');
}

/** How long a list read stays usable at all (its "metadata expiry"): long enough for stale-if-error tests. */
const LIST_LIFETIME_MS = 24 * 3600_000;

/** The list is this format's origin: a missing file is its outage (so stale-if-error applies), like a registry down. */
async function readList(file: string): Promise<string[]> {
  try {
    return parseDigests(await readFile(file, 'utf8'));
  } catch (error) {
    throw new TrustError('REGISTRY_UNREACHABLE', `cannot read the digest list ${file}`, { cause: error });
  }
}

/** The verifier: reads the list through the shared trust cache (so stale-if-error and fingerprints apply). */
function digestListVerifier(deps: Parameters<FormatModule['createVerifier']>[0]): SignatureVerifier {
  const { cache, policy } = deps;
  return {
    format: DIGEST_LIST_FORMAT,
    unreachableCode: 'REGISTRY_UNREACHABLE',
    supports: (rule) => rule.digestList !== undefined,
    async verify(ref, rule, ctx): Promise<ImageVerdict> {
      const settings = rule.digestList!;
      const key = cacheKey(DIGEST_LIST_FORMAT, settings.file, ref.name, digestListModule.settingsFingerprint(settings));
      const { value: digests, source } = await cache.trustCache.getOrLoad<string[]>(
        key,
        async () => ({ value: await readList(settings.file), expiresAtMs: ctx.nowMs + LIST_LIFETIME_MS }),
        {
          nowMs: ctx.nowMs,
          freshTtlMs: policy.cache.freshTtlSeconds * 1000,
          maxStaleMs: policy.cache.maxStaleSeconds * 1000,
        },
      );
      const digest = ref.digest?.toLowerCase();
      if (digest !== undefined && digests.includes(digest)) {
        return {
          allowed: true,
          code: 'SIGNED',
          reason: `${ref.name}@${digest} is on the digest list`,
          signedDigest: digest,
          format: DIGEST_LIST_FORMAT,
          source,
          ...(settings.warn ? { warnings: [settings.warn] } : {}),
        };
      }
      return {
        allowed: false,
        code: 'NOT_SIGNED',
        reason: `${ref.name}@${digest ?? ref.tag} is not on the digest list`,
        format: DIGEST_LIST_FORMAT,
        source,
      };
    },
  };
}

export const digestListModule: FormatModule<DigestListSection, DigestListSettings> = {
  key: 'digestList',
  format: DIGEST_LIST_FORMAT,
  unreachableCode: 'REGISTRY_UNREACHABLE',
  schema: sectionSchema,
  fileFields: [{ name: 'file', kind: 'file' }],
  secretReferences: (section, field) => (section.auth ? [authReference(section.auth, `${field}.auth`)] : []),
  awsPermissions: () => [{ actions: ['signer:GetRevocationStatus'], resources: ['*'] }],
  async resolve(section, ctx) {
    const file = ctx.resolvePath(section.file);
    const digests = parseDigests(await ctx.readText(section.file, `${ctx.field}.file`));
    for (const [index, digest] of digests.entries()) {
      if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
        ctx.fail(`${ctx.field}.file: line ${index + 1} is not a sha256:<hex> digest`);
      }
    }
    const auth = section.auth ? await ctx.resolveAuth(section.auth, `${ctx.field}.auth`) : undefined;
    return { file, digests, warn: section.warn, auth };
  },
  settingsFingerprint: (settings) => fingerprintOfSet(settings.digests),
  createVerifier: digestListVerifier,
};
