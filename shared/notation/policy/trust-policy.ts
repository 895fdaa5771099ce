/**
 * Notation's trust policy document (trust-store-trust-policy.md, "Trust Policy"; notation-go trustpolicy.Validate),
 * validated once at policy load with errors that name the field, and the statement an artifact selects: the one
 * whose registryScopes list its `registry/repository` exactly, else the `*` statement, else none.
 */

import { awsSignerTrustPolicyProblems } from '../aws-signer/trust-policy';
import type { TrustStoreType } from '../types';
import { type DnMap, isDnSubset, parseIdentityDn } from '../x509/dn';
import { type CheckActions, LEVEL_NAMES, type LevelName, resolveActions } from './levels';

export interface TrustStoreRef {
  readonly type: TrustStoreType;
  readonly name: string;
}

export type TrustedIdentity =
  | { readonly kind: 'any' }
  | { readonly kind: 'x509.subject'; readonly text: string; readonly dn: DnMap }
  /** Identities Notation hands to plugins (e.g. AWS Signer profile ARNs): kept as written. */
  | { readonly kind: 'other'; readonly text: string };

export interface TrustPolicyStatement {
  readonly name: string;
  readonly registryScopes: readonly string[];
  readonly level: LevelName;
  readonly actions: CheckActions;
  readonly verifyTimestamp: 'always' | 'afterCertExpiry';
  readonly trustStores: readonly TrustStoreRef[];
  readonly trustedIdentities: readonly TrustedIdentity[];
  /** `trustedIdentities` as written (what plugins receive). */
  readonly trustedIdentityStrings: readonly string[];
}

export interface TrustPolicyDocument {
  readonly version: '1.0';
  readonly trustPolicies: readonly TrustPolicyStatement[];
}

export class TrustPolicyError extends Error {}

const STORE_TYPES: readonly string[] = ['ca', 'signingAuthority', 'tsa'];
const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;
const HOST =
  /^(?:localhost|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TOP_KEYS = new Set(['version', 'trustPolicies']);
const STATEMENT_KEYS = new Set(['name', 'registryScopes', 'signatureVerification', 'trustStores', 'trustedIdentities']);
const VERIFICATION_KEYS = new Set(['level', 'override', 'verifyTimestamp']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(field: string, message: string): never {
  throw new TrustPolicyError(`trust policy ${field}: ${message}`);
}

function onlyKeys(obj: Record<string, unknown>, allowed: Set<string>, field: string): void {
  for (const key of Object.keys(obj)) if (!allowed.has(key)) fail(field, `unknown field "${key}"`);
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(field, 'must be a list of strings');
  return value as string[];
}

/** The host of a scope or artifact path, lowercased: registry hosts compare without case. */
export function normalizeScope(scope: string): string {
  const slash = scope.indexOf('/');
  return slash < 0 ? scope : scope.slice(0, slash).toLowerCase() + scope.slice(slash);
}

function checkScope(scope: string, field: string): void {
  const slash = scope.indexOf('/');
  const host = slash < 0 ? '' : scope.slice(0, slash);
  const path = slash < 0 ? '' : scope.slice(slash + 1);
  if (!HOST.test(host) || path === '' || !path.split('/').every((c) => PATH_COMPONENT.test(c))) {
    fail(
      field,
      `"${scope}" is not "*" or a fully qualified repository (registry.example.com/name), without tag or digest`,
    );
  }
}

function parseStore(entry: string, field: string): TrustStoreRef {
  const colon = entry.indexOf(':');
  const type = entry.slice(0, colon);
  const name = entry.slice(colon + 1);
  if (colon < 0 || !STORE_TYPES.includes(type))
    fail(field, `"${entry}" must be ca:<name>, signingAuthority:<name> or tsa:<name>`);
  if (!STORE_NAME.test(name)) fail(field, `store name "${name}" may hold only letters, digits, "_", "." and "-"`);
  return { type: type as TrustStoreType, name };
}

function parseIdentity(entry: string, field: string): TrustedIdentity {
  if (entry === '*') return { kind: 'any' };
  const colon = entry.indexOf(':');
  if (colon <= 0 || colon === entry.length - 1)
    fail(field, `"${entry}" is not "*" or <prefix>:<value> (x509.subject:<DN>)`);
  if (entry.slice(0, colon) !== 'x509.subject') return { kind: 'other', text: entry };
  try {
    return { kind: 'x509.subject', text: entry, dn: parseIdentityDn(entry.slice(colon + 1)) };
  } catch (cause) {
    fail(field, (cause as Error).message);
  }
}

function parseStatement(raw: unknown, field: string): TrustPolicyStatement {
  if (!isObject(raw)) fail(field, 'must be an object');
  onlyKeys(raw, STATEMENT_KEYS, field);
  if (typeof raw.name !== 'string' || raw.name.trim() === '') fail(`${field}.name`, 'must be a non-empty string');
  const scopes = stringList(raw.registryScopes, `${field}.registryScopes`);
  if (scopes.length === 0) fail(`${field}.registryScopes`, 'must list at least one scope');
  if (scopes.includes('*') && scopes.length > 1)
    fail(`${field}.registryScopes`, '"*" must be the only scope of its statement');
  scopes.forEach((s, i) => {
    if (s !== '*') checkScope(s, `${field}.registryScopes[${i}]`);
  });
  const sv = raw.signatureVerification;
  if (!isObject(sv)) fail(`${field}.signatureVerification`, 'is required');
  onlyKeys(sv, VERIFICATION_KEYS, `${field}.signatureVerification`);
  if (!(LEVEL_NAMES as readonly unknown[]).includes(sv.level)) {
    fail(`${field}.signatureVerification.level`, `must be one of ${LEVEL_NAMES.join(', ')}`);
  }
  const level = sv.level as LevelName;
  if (sv.override !== undefined && !isObject(sv.override))
    fail(`${field}.signatureVerification.override`, 'must be a map');
  let actions: CheckActions;
  try {
    actions = resolveActions(level, (sv.override ?? {}) as Record<string, unknown>);
  } catch (cause) {
    fail(`${field}.signatureVerification.override`, (cause as Error).message);
  }
  const verifyTimestamp = sv.verifyTimestamp ?? 'always';
  if (verifyTimestamp !== 'always' && verifyTimestamp !== 'afterCertExpiry') {
    fail(`${field}.signatureVerification.verifyTimestamp`, 'must be "always" or "afterCertExpiry"');
  }
  const storeStrings = stringList(raw.trustStores, `${field}.trustStores`);
  const identityStrings = stringList(raw.trustedIdentities, `${field}.trustedIdentities`);
  if (level === 'skip') {
    if (storeStrings.length > 0 || identityStrings.length > 0) {
      fail(field, 'level "skip" must have neither trustStores nor trustedIdentities');
    }
  } else {
    if (storeStrings.length === 0) fail(`${field}.trustStores`, `level "${level}" needs at least one trust store`);
    if (identityStrings.length === 0) fail(`${field}.trustedIdentities`, `level "${level}" needs trusted identities`);
  }
  if (new Set(storeStrings).size !== storeStrings.length) fail(`${field}.trustStores`, 'lists a store twice');
  const trustStores = storeStrings.map((s, i) => parseStore(s, `${field}.trustStores[${i}]`));
  if (identityStrings.includes('*') && identityStrings.length > 1) {
    fail(`${field}.trustedIdentities`, '"*" must be the only trusted identity');
  }
  const trustedIdentities = identityStrings.map((s, i) => parseIdentity(s, `${field}.trustedIdentities[${i}]`));
  const dns = trustedIdentities.filter((t) => t.kind === 'x509.subject');
  for (let i = 0; i < dns.length; i++) {
    for (let j = i + 1; j < dns.length; j++) {
      if (isDnSubset(dns[i]!.dn, dns[j]!.dn) || isDnSubset(dns[j]!.dn, dns[i]!.dn)) {
        fail(`${field}.trustedIdentities`, `"${dns[i]!.text}" and "${dns[j]!.text}" overlap`);
      }
    }
  }
  return {
    name: raw.name,
    registryScopes: scopes.map(normalizeScope),
    level,
    actions,
    verifyTimestamp,
    trustStores,
    trustedIdentities,
    trustedIdentityStrings: identityStrings,
  };
}

/** Validates a trust policy document (already parsed JSON); throws TrustPolicyError naming the field. */
export function parseTrustPolicy(doc: unknown): TrustPolicyDocument {
  if (!isObject(doc)) fail('document', 'must be a JSON object');
  onlyKeys(doc, TOP_KEYS, 'document');
  if (doc.version !== '1.0') fail('version', `must be "1.0" (got ${JSON.stringify(doc.version)})`);
  if (!Array.isArray(doc.trustPolicies) || doc.trustPolicies.length === 0)
    fail('trustPolicies', 'must list statements');
  const statements = doc.trustPolicies.map((s, i) => parseStatement(s, `trustPolicies[${i}]`));
  // AWS Signer statements follow the AWS plugin's rules too (no "*", signing-profile ARNs, partition scope).
  statements.forEach((s, i) => {
    const [problem] = awsSignerTrustPolicyProblems(
      {
        name: s.name,
        trustStores: s.trustStores.map((t) => `${t.type}:${t.name}`),
        trustedIdentities: s.trustedIdentityStrings,
      },
      `trust policy trustPolicies[${i}]`,
    );
    if (problem) throw new TrustPolicyError(problem);
  });
  const names = new Set<string>();
  const scopeOwner = new Map<string, string>();
  statements.forEach((s, i) => {
    if (names.has(s.name)) fail(`trustPolicies[${i}].name`, `"${s.name}" is used by two statements`);
    names.add(s.name);
    for (const scope of s.registryScopes) {
      const owner = scopeOwner.get(scope);
      if (owner) fail(`trustPolicies[${i}].registryScopes`, `"${scope}" is already a scope of statement "${owner}"`);
      scopeOwner.set(scope, s.name);
    }
  });
  return { version: '1.0', trustPolicies: statements };
}

/** The statement for an artifact path `registry/repository`: exact scope first, then `*`. */
export function selectStatement(doc: TrustPolicyDocument, artifactPath: string): TrustPolicyStatement | undefined {
  const path = normalizeScope(artifactPath);
  return (
    doc.trustPolicies.find((s) => s.registryScopes.includes(path)) ??
    doc.trustPolicies.find((s) => s.registryScopes.includes('*'))
  );
}
