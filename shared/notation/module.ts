/**
 * Notation (Notary Project signatures) as a format module: the rule's `notation:` section.
 *
 * ```yaml
 * notation:
 *   trustPolicy: ./notation/trustpolicy.json   # a Notation trust policy document: a path, inline JSON, or a map
 *   trustStore: ./notation/truststore          # optional: x509/{ca,signingAuthority,tsa}/<name>/*.{crt,pem,cer},
 *                                              # or a map { "ca:acme": <PEM text or list of PEM texts> }
 * ```
 * The document and the stores are read and validated when the policy loads (and by `cdk synth`, which stages both
 * into the bundle). See shared/verify/format.ts for what each member is for.
 *
 * Only the section's schema and field lists load with this module: reading the trust policy and stores
 * (./settings.ts, X.509 parsing) and the verifier with its libraries (pkijs, asn1js, cborg, the AWS Signer
 * client) are imported when a policy names a `notation:` section, so a Notary-only process never loads them
 * (issue 13: the Lambda's module init; issue 16: `notary-gate check`'s start).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { text } from '../policy/schema-parts';
import type { FormatModule, SectionContext } from '../verify/format';
import { LazySignatureVerifier } from '../verify/lazy-verifier';
import { signerRevocationPermissions } from './aws-signer/deployment';
import { NOTATION_FORMAT } from './format-name';
import type { TrustStoreFile } from './policy/trust-store';
import type { NotationSettings } from './settings';
import type { TrustStoreType } from './types';

declare module '../verify/format' {
  interface FormatSections {
    /** The resolved `notation:` section. */
    notation: NotationSettings;
  }
}

const STORE_KEY = /^(ca|signingAuthority|tsa):[a-zA-Z0-9_.-]+$/;

const notationSectionSchema = z.strictObject(
  {
    trustPolicy: z.union([text, z.record(z.string(), z.unknown())], {
      error: 'must be a trust policy document: a file path, inline JSON, or a map',
    }),
    trustStore: z
      .union([
        text,
        z.record(
          z.string().regex(STORE_KEY, { error: 'keys must be ca:<name>, signingAuthority:<name> or tsa:<name>' }),
          z.union([text, z.array(text)]),
        ),
      ])
      .optional(),
  },
  { error: 'must be an object with trustPolicy (and trustStore)' },
);

export type NotationSection = z.output<typeof notationSectionSchema>;

const isInlineJson = (value: string) => value.trimStart().startsWith('{');

async function readDocument(section: NotationSection, ctx: SectionContext): Promise<unknown> {
  const field = `${ctx.field}.trustPolicy`;
  if (typeof section.trustPolicy !== 'string') return section.trustPolicy;
  const json = isInlineJson(section.trustPolicy) ? section.trustPolicy : await ctx.readText(section.trustPolicy, field);
  try {
    return JSON.parse(json);
  } catch (cause) {
    return ctx.fail(`${field}: not JSON: ${(cause as Error).message}`);
  }
}

async function storeFiles(section: NotationSection, ctx: SectionContext): Promise<TrustStoreFile[]> {
  const store = section.trustStore;
  const field = `${ctx.field}.trustStore`;
  if (store === undefined) return [];
  const { readTrustStoreFolder } = typeof store === 'string' ? await import('./policy/trust-store-folder') : {};
  try {
    if (typeof store === 'string') return readTrustStoreFolder!(ctx.resolvePath(store));
    return Object.entries(store).flatMap(([key, pems]) => {
      const [type, name] = key.split(':') as [TrustStoreType, string];
      return (Array.isArray(pems) ? pems : [pems]).map((pem, i) => ({
        type,
        name,
        fileName: `${field}["${key}"]${Array.isArray(pems) ? `[${i}]` : ''}`,
        bytes: Buffer.from(pem),
      }));
    });
  } catch (cause) {
    return ctx.fail(`${field}: ${(cause as Error).message}`);
  }
}

export const notationModule: FormatModule<NotationSection, NotationSettings> = {
  key: 'notation',
  format: NOTATION_FORMAT,
  unreachableCode: 'REGISTRY_UNREACHABLE',
  schema: notationSectionSchema,
  fileFields: [
    { name: 'trustPolicy', kind: 'file', isInline: isInlineJson },
    { name: 'trustStore', kind: 'directory' },
  ],
  // Registry credentials live in the top-level `registries:` section; the section itself names no secret.
  secretReferences: () => [],
  // AWS Signer revocation in the regions of the signing profiles the trust policy trusts (none: no Signer access).
  awsPermissions: (settings) => signerRevocationPermissions(settings.trustPolicy),
  async resolve(section, ctx) {
    const document = await readDocument(section, ctx);
    const files = await storeFiles(section, ctx);
    const { buildNotationSettings } = await import('./settings');
    try {
      return buildNotationSettings(document, files);
    } catch (cause) {
      return ctx.fail(`${ctx.field}: ${(cause as Error).message}`);
    }
  },
  settingsFingerprint: (settings) =>
    createHash('sha256')
      .update([...settings.fingerprints.entries()].map(([name, fp]) => `${name}=${fp}`).join('\n'))
      .digest('hex')
      .slice(0, 32),
  createVerifier: (deps) =>
    new LazySignatureVerifier(
      NOTATION_FORMAT,
      'REGISTRY_UNREACHABLE',
      (rule) => (rule as { notation?: NotationSettings }).notation !== undefined,
      () => import('./create-verifier').then(({ createNotationVerifier }) => createNotationVerifier(deps)),
    ),
};
