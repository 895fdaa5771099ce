/**
 * The built-in Notation trust stores: `signingAuthority:aws-signer-ts` and `signingAuthority:aws-us-gov-signer-ts`,
 * AWS Signer's published roots (roots.ts). A trust policy names them as AWS documents; no trust-store folder needed.
 *
 * The names are reserved: a trust-store folder that defines a store of the same type and name is a policy error
 * (`reservedTrustStoreProblem`), so a policy that says `aws-signer-ts` always means AWS's root and nothing else.
 */
import { X509Certificate } from 'node:crypto';
import type { TrustStores, TrustStoreType } from '../types';
import { AWS_SIGNER_ROOTS, type AwsSignerRoot, type SignerPartition } from './roots';

export interface BuiltInTrustStore {
  readonly type: TrustStoreType;
  readonly name: string;
  /** The partition whose signatures this store anchors: AWS Signer signatures are partition-scoped. */
  readonly partition: SignerPartition;
  readonly root: AwsSignerRoot;
}

export const BUILT_IN_TRUST_STORES: readonly BuiltInTrustStore[] = AWS_SIGNER_ROOTS.map((root) => ({
  type: 'signingAuthority',
  name: root.storeName,
  partition: root.partition,
  root,
}));

/** The built-in store of that type and name, if there is one (names compare exactly, as Notation's do). */
export function findBuiltInTrustStore(type: TrustStoreType, name: string): BuiltInTrustStore | undefined {
  return BUILT_IN_TRUST_STORES.find((store) => store.type === type && store.name === name);
}

const parsed = new Map<string, readonly X509Certificate[]>();

/**
 * The certificates of a built-in store, parsed once per process; undefined when `type:name` is not built in.
 * This is the lookup a trust-store loader consults for names its folder does not define.
 */
export function builtInTrustStoreCertificates(
  type: TrustStoreType,
  name: string,
): readonly X509Certificate[] | undefined {
  const store = findBuiltInTrustStore(type, name);
  if (!store) return undefined;
  const key = `${type}:${name}`;
  let certificates = parsed.get(key);
  if (!certificates) {
    certificates = Object.freeze([new X509Certificate(store.root.pem)]);
    parsed.set(key, certificates);
  }
  return certificates;
}

/** The built-in stores as a TrustStores, for composing with a folder's stores (folder first, then these). */
export const builtInTrustStores: TrustStores = { get: builtInTrustStoreCertificates };

/**
 * A trust-store folder must not define a store under a built-in name: returns the problem to report, or undefined.
 * (Shadowing `aws-signer-ts` with another certificate would make a policy that reads "AWS Signer" trust anything.)
 */
export function reservedTrustStoreProblem(type: TrustStoreType, name: string): string | undefined {
  if (!findBuiltInTrustStore(type, name)) return undefined;
  return `trust store ${type}:${name} is built in (AWS Signer's published root); a trust-store folder cannot redefine it`;
}
