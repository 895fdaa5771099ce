/**
 * Load-time rules for trust policy statements that trust AWS Signer: refused when the policy is loaded (and by
 * `validate-policy` before deploying), instead of failing every admission later.
 *
 * A statement is an AWS Signer statement when it names a built-in AWS store (`signingAuthority:aws-signer-ts`,
 * `signingAuthority:aws-us-gov-signer-ts`) or a signing-profile ARN identity. Then:
 * - `*` is refused: the AWS plugin refuses a wildcard identity, since every AWS Signer signature of every account
 *   chains to the same root (trusting the root alone would trust all of AWS's customers);
 * - an `arn:` identity must be a signing-profile or profile-version ARN of a region of its own partition;
 * - with only built-in AWS stores: at least one profile ARN, every ARN in a partition of a store the statement
 *   names (signatures are partition-scoped), and no other identities (an `x509.subject:` identity can never match an
 *   AWS Signer leaf; another value is a typo that would silently trust nothing).
 * Statements that also name their own stores (a mirror of the root, a test root) may mix in `x509.subject:`
 * identities for their other signers and skip the partition rule.
 */
import { parseArn, parseSigningProfileArn, regionMatchesPartition } from './arn';
import { findBuiltInTrustStore } from './trust-stores';

/** The parts of a Notation trust policy statement these rules read, as written in the document. */
export interface TrustPolicyStatementLike {
  readonly name: string;
  readonly trustStores?: readonly string[];
  readonly trustedIdentities?: readonly string[];
}

const X509_SUBJECT_PREFIX = 'x509.subject:';

/**
 * Problems of one statement, each a sentence naming the field; empty when it is fine. `where` names the statement
 * in messages (`trust policy trustPolicies[0]` from the document parser; by default its name).
 */
export function awsSignerTrustPolicyProblems(
  statement: TrustPolicyStatementLike,
  where = `trust policy "${statement.name}"`,
): string[] {
  const stores = statement.trustStores ?? [];
  const identities = statement.trustedIdentities ?? [];
  const builtIn = stores.flatMap((entry) => {
    const [type, name] = splitStore(entry);
    const store = type === 'signingAuthority' ? findBuiltInTrustStore(type, name) : undefined;
    return store ? [store] : [];
  });
  // Signing stores of the statement's own (`tsa:` stores anchor timestamps, not signatures).
  const ownStores = stores.filter((entry) => /^(ca|signingAuthority):/.test(entry)).length - builtIn.length;
  const profileArns = identities.map((identity) => parseSigningProfileArn(identity));
  if (builtIn.length === 0 && !profileArns.some(Boolean)) return [];

  const problems: string[] = [];
  identities.forEach((identity, index) => {
    const field = `${where}.trustedIdentities[${index}]`;
    const arn = profileArns[index];
    if (identity === '*') {
      problems.push(
        `${field}: "*" is refused for AWS Signer (every AWS Signer signature chains to the same root); ` +
          'name the signing profile: arn:aws:signer:<region>:<account>:/signing-profiles/<name>',
      );
    } else if (arn) {
      if (!regionMatchesPartition(arn)) {
        problems.push(
          `${field}: "${identity}": region "${arn.region}" is not a region of partition "${arn.partition}"`,
        );
      } else if (ownStores === 0 && !builtIn.some((store) => store.partition === arn.partition)) {
        const named = builtIn.map((store) => `${store.name} (${store.partition})`).join(', ');
        problems.push(
          `${field}: "${identity}" is in partition "${arn.partition}", but the statement trusts only ${named}: ` +
            'AWS Signer signatures are partition-scoped',
        );
      }
    } else if (parseArn(identity)) {
      problems.push(
        `${field}: "${identity}" is not a signing-profile ARN ` +
          '(arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>])',
      );
    } else if (ownStores === 0) {
      const what = identity.startsWith(X509_SUBJECT_PREFIX)
        ? 'an x509.subject identity never matches an AWS Signer signature (the signing profile is the identity)'
        : 'it is not a signing-profile ARN';
      problems.push(`${field}: "${identity}": ${what}`);
    }
  });
  if (builtIn.length > 0 && ownStores === 0 && !profileArns.some(Boolean) && !identities.includes('*')) {
    problems.push(`${where}.trustedIdentities: an AWS Signer trust store needs at least one signing-profile ARN`);
  }
  return problems;
}

function splitStore(entry: string): [string, string] {
  const colon = entry.indexOf(':');
  return colon === -1 ? [entry, ''] : [entry.slice(0, colon), entry.slice(colon + 1)];
}
