import type * as z from 'zod';
import type { Cache } from '../cache/create';
import type { VerdictCode } from '../errors';
import type { Observer } from '../observer';
import type { CredentialReference, Credentials } from '../policy/credentials';
import type { AuthDocument } from '../policy/schema-parts';
import type { Policy, Rule } from '../policy/types';
import type { RegistryClient } from '../registry/client';
import type { SignatureVerifier } from './types';

/**
 * A signature format as one module: everything the policy loader, the deployment (`cdk synth`) and the engine need
 * to know of it. Nothing outside the module and the module list (shared/formats/modules.ts) names a format.
 *
 * ## Adding a format (e.g. `notation`)
 * 1. Write `shared/<format>/module.ts` exporting a `FormatModule`:
 *    - `key`: the rule's section name in the policy file (`notation:`); `format`: the verdict's format name
 *      (`notation`); `unreachableCode`: the code of "the origin could not answer in time" (`REGISTRY_UNREACHABLE`),
 *      which must be an `origin-outage` code of the table in shared/errors.ts (add new codes there, with a category);
 *    - `schema`: the section's zod schema (a strict object; shared building blocks are in shared/policy/schema-parts);
 *    - `fileFields`: the section's fields that name files or folders (relative to the policy file's folder): the CDK
 *      staging copies them into the Lambda bundle and rewrites the paths (infra/policy-bundle.ts);
 *    - `secretReferences`: the section's credentials (`auth` forms), so `cdk synth` grants the function read on each
 *      secret and refuses credentials from environment variables (infra/validate-policy.ts); `awsPermissions`: other
 *      AWS API calls the verifier makes, from the resolved settings (IAM grants, each a policy of its own, with the
 *      reason for any wildcard IAM forces);
 *    - `resolve`: section document -> settings (files read through the context, credentials resolved); the settings
 *      land on the Rule under `key`;
 *    - `settingsFingerprint`: a short stable text of the settings that change what verifies (pinned keys, trust
 *      policy statement, trust store contents); cache keys include it (`cacheKey` in ./cache-key.ts), so data
 *      verified under one setting never satisfies another;
 *    - `createVerifier`: a `SignatureVerifier` on the shared cache (one instance per cold start). For `/mutate`, the
 *      verifier may also implement `resolveSignedDigest` (shared/verify/types.ts): the digest a tag verifiably
 *      stands for; without it the format's tag-only images are never pinned.
 * 2. Type the Rule's section by augmenting `FormatSections` in the module:
 *    `declare module '../verify/format' { interface FormatSections { notation: NotationSettings } }`.
 * 3. Add the module to `FORMAT_MODULES` (shared/formats/modules.ts). The engine runs every format a rule names,
 *    concurrently, and combines their verdicts by the rule's `require` (`all` by default, or `any`).
 */
export interface FormatModule<Section = unknown, Settings = unknown> {
  /** Section name in a rule of the policy file: `notary`. Must not be a rule field (`match`, `action`, ...). */
  readonly key: string;
  /** Stable format name of verdicts, logs and metrics: `notary-v1`. */
  readonly format: string;
  /** The code of a verdict when this format's origin did not answer before the admission deadline. */
  readonly unreachableCode: VerdictCode;
  /** The section as written (strict: a misspelt field fails). */
  readonly schema: z.ZodType<Section>;
  readonly fileFields: readonly FileField[];
  /** The section's credential references, each named by its field (`${field}.auth`). */
  secretReferences(section: Section, field: string): CredentialReference[];
  /**
   * AWS API permissions the verifier needs for this section (beyond reading its secrets), from the resolved settings
   * (what the files the section names hold counts: a Notation trust policy's signing profiles).
   */
  awsPermissions?(settings: Settings): readonly AwsPermission[];
  /** Reads the files and credentials the section names; fails through `ctx.fail` naming the field. */
  resolve(section: Section, ctx: SectionContext): Promise<Settings>;
  /** What of the settings decides what verifies, as a short stable text (a hash); part of every cache key. */
  settingsFingerprint(settings: Settings): string;
  createVerifier(deps: FormatDeps): SignatureVerifier;
}

/**
 * The Rule's format sections, resolved: each format module adds its own by declaration merging (see above), so
 * `rule.notary` is typed where the Notary module is part of the program and the policy types name no format.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in each format module
export interface FormatSections {}

/**
 * A field of a section that names a file system path (relative to the policy file's folder): `file` one path,
 * `files` a list of paths, `directory` a folder (staged whole). Values `isInline` accepts are contents, not paths.
 */
export interface FileField {
  readonly name: string;
  readonly kind: 'file' | 'files' | 'directory';
  readonly isInline?: (value: string) => boolean;
}

/**
 * An IAM statement the deployed function needs for a section (e.g. `signer:GetRevocationStatus`), as narrow as IAM
 * allows. The deployment grants each as an IAM policy of its own (infra/scoped-grant.ts), so that a wildcard it
 * must use is acknowledged (cdk-nag) on that statement and no other.
 */
export interface AwsPermission {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** IAM condition operators -> keys -> values, e.g. `{ StringEquals: { 'aws:RequestedRegion': ['us-west-2'] } }`. */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
  /**
   * Why a wildcard in `resources` is as narrow as IAM allows (an action with no resource type, a prefix of what the
   * policy names). The deployment acknowledges the wildcard findings of this statement with it; without a reason a
   * wildcard stays a finding to fix.
   */
  readonly wildcardReason?: string;
}

/** What `resolve` gets from the loader: where the section is, how to read what it names. */
export interface SectionContext {
  /** The section's field path for messages: `rules[0].notary`. */
  readonly field: string;
  /** The policy file's folder (relative paths resolve against it). */
  readonly baseDir: string;
  /** Validating only (`cdk synth`): files are read, credentials are not (`resolveAuth` answers undefined). */
  readonly validateOnly: boolean;
  /** Throws the InvalidPolicyError of the policy with this message (start it with the field). */
  fail(message: string): never;
  /** The absolute path of a value relative to the policy file's folder. */
  resolvePath(value: string): string;
  /** A small file's text (bounded; the loader's MAX_FILE_BYTES), failing with `field: why`. */
  readText(value: string, field: string): Promise<string>;
  /** PEM text as given inline, or the contents of a PEM file (which must hold a PEM block). */
  readPem(value: string, field: string): Promise<string>;
  /** Credentials of an `auth` document; undefined when validating only. */
  resolveAuth(auth: AuthDocument, field: string): Promise<Credentials | undefined>;
}

/** What a verifier is built on: one per cold start, shared by all admissions. */
export interface FormatDeps {
  readonly policy: Policy;
  readonly cache: Cache;
  readonly observer: Observer;
  /**
   * The one OCI registry client of this instance (the policy's `registries:`, bearer tokens in the shared store,
   * ECR tokens in memory), for formats that read signatures from registries (shared/registry/client.ts).
   */
  readonly registry: RegistryClient;
}

/**
 * The section of a rule (resolved, or as written) for `key`, or undefined: the generic read for code that loops
 * over modules. Own properties only: a key such as `constructor` must not find Object.prototype's members.
 */
export function sectionOf(rule: Rule | object, key: string): unknown {
  return Object.hasOwn(rule, key) ? (rule as Record<string, unknown>)[key] : undefined;
}
