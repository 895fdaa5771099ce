/**
 * What a deployment must allow for AWS Signer revocation, read from the Notation trust policy documents it ships:
 * the regions GetRevocationStatus is called in. Only signatures whose profile matches a trusted identity can be
 * admitted, so only the regions of the trusted signing-profile ARNs matter; a statement that skips revocation
 * (level `skip`, or `override: { revocation: skip }`) makes no calls and needs nothing.
 */
import { parseSigningProfileArn } from './arn';

interface StatementShape {
  readonly signatureVerification?: { readonly level?: unknown; readonly override?: { readonly revocation?: unknown } };
  readonly trustedIdentities?: unknown;
}

/** The regions (sorted, each once) of the signing profiles a trust policy document trusts with revocation on. */
export function signerRevocationRegions(trustPolicyDocument: unknown): string[] {
  const statements = (trustPolicyDocument as { trustPolicies?: unknown } | null)?.trustPolicies;
  if (!Array.isArray(statements)) return [];
  const regions = new Set<string>();
  for (const statement of statements as StatementShape[]) {
    const verification = statement?.signatureVerification;
    if (verification?.level === 'skip' || verification?.override?.revocation === 'skip') continue;
    const identities = Array.isArray(statement.trustedIdentities) ? statement.trustedIdentities : [];
    for (const identity of identities) {
      const arn = typeof identity === 'string' ? parseSigningProfileArn(identity) : undefined;
      if (arn) regions.add(arn.region);
    }
  }
  return [...regions].sort();
}
