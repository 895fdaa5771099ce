/**
 * The resolved `notation:` section of a rule: the trust policy document (validated), the trust stores it names
 * (the user's folder, then the built-in AWS Signer stores), and one fingerprint per statement over what decides
 * its verdicts (the statement as parsed and the DER of every certificate of the stores it names). Built once, at
 * policy load; a mistake fails the load with a message naming the field.
 */
import { createHash } from 'node:crypto';
import { builtInTrustStores, reservedTrustStoreProblem } from './aws-signer/trust-stores';
import { parseTrustPolicy, type TrustPolicyDocument, type TrustPolicyStatement } from './policy/trust-policy';
import { LayeredTrustStores, MemoryTrustStores, type TrustStoreFile } from './policy/trust-store';
import type { TrustStores } from './types';

export interface NotationSettings {
  readonly trustPolicy: TrustPolicyDocument;
  readonly stores: TrustStores;
  /** Statement name -> fingerprint of the statement and its stores' certificates (32 hex characters). */
  readonly fingerprints: ReadonlyMap<string, string>;
  /**
   * The stores of the rule's own `trustStore` (folder or map) as `type:name`, sorted; the built-in AWS Signer stores
   * are not listed. For `lint`, which warns about a store no statement names.
   */
  readonly ownStores: readonly string[];
}

export class NotationSettingsError extends Error {}

function statementFingerprint(statement: TrustPolicyStatement, stores: TrustStores): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      scopes: statement.registryScopes,
      level: statement.level,
      actions: statement.actions,
      verifyTimestamp: statement.verifyTimestamp,
      identities: statement.trustedIdentityStrings,
      stores: statement.trustStores.map((s) => `${s.type}:${s.name}`),
    }),
  );
  for (const ref of statement.trustStores) {
    const certs = (stores.get(ref.type, ref.name) ?? []).map((c) => c.fingerprint256).sort();
    hash.update(`\n${ref.type}:${ref.name}=${certs.join(',')}`);
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * Validates the document against the stores: every store a statement names must exist (in the folder or built in),
 * with the field that names it in the message.
 */
export function buildNotationSettings(document: unknown, storeFiles: readonly TrustStoreFile[]): NotationSettings {
  const trustPolicy = parseTrustPolicy(document);
  for (const file of storeFiles) {
    // The built-in AWS Signer store names are reserved: a folder store of that name would shadow AWS's root.
    const reserved = reservedTrustStoreProblem(file.type, file.name);
    if (reserved) throw new NotationSettingsError(`${file.fileName}: ${reserved}`);
  }
  const ownStores = MemoryTrustStores.fromFiles(storeFiles);
  const stores = new LayeredTrustStores([ownStores, builtInTrustStores]);
  const fingerprints = new Map<string, string>();
  trustPolicy.trustPolicies.forEach((statement, i) => {
    statement.trustStores.forEach((ref, j) => {
      if (!stores.get(ref.type, ref.name)) {
        throw new NotationSettingsError(
          `trust policy trustPolicies[${i}].trustStores[${j}]: trust store ${ref.type}:${ref.name} is not in the trust store (expected x509/${ref.type}/${ref.name}/ with certificates)`,
        );
      }
    });
    fingerprints.set(statement.name, statementFingerprint(statement, stores));
  });
  return { trustPolicy, stores, fingerprints, ownStores: ownStores.names() };
}
