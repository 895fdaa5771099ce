/**
 * The optional header of a policy file, `apiVersion: notary-gate/v1` and `kind: Policy`, and the refusal of files
 * that are something else. A Kyverno or Gatekeeper policy picked up as `./policy.yaml` must not fail with "apiVersion:
 * unknown field": the person needs to hear that the file is another product's, and which.
 */

export const POLICY_API_VERSION = 'notary-gate/v1';
export const POLICY_KIND = 'Policy';

/** apiVersion groups of tools whose policies people keep next to ours, and what to call their files. */
const KNOWN_GROUPS: readonly (readonly [group: RegExp, what: string])[] = [
  [/^kyverno\.io$/, 'a Kyverno policy'],
  [/(^|\.)gatekeeper\.sh$/, 'an OPA Gatekeeper resource'],
  [/^policy\.sigstore\.dev$/, 'a Sigstore policy-controller policy'],
  [/^admissionregistration\.k8s\.io$/, 'a Kubernetes admission configuration'],
  [/^ratify\.deislabs\.io$/, 'a Ratify resource'],
];

/**
 * The policy without its header, or a failure saying what the file looks like when it is not a notary-gate policy.
 * Values that are not mappings pass through for the schema to refuse.
 */
export function withoutHeader(value: unknown, fail: (message: string) => never): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { apiVersion, kind, ...rest } = value as Record<string, unknown>;
  const foreign = describeForeign(value as Record<string, unknown>);
  if (foreign !== undefined) return fail(foreign);
  return apiVersion === undefined && kind === undefined ? value : rest;
}

/** Why a mapping is not a notary-gate policy, or undefined when it may be one (header absent or ours). */
export function describeForeign(value: Readonly<Record<string, unknown>>): string | undefined {
  const { apiVersion, kind } = value;
  const ours = `a notary-gate policy (apiVersion: ${POLICY_API_VERSION}, kind: ${POLICY_KIND}, both optional)`;
  if (apiVersion === undefined && kind === undefined) {
    if ('trustPolicies' in value) {
      return (
        'this is a Notation trust policy document (version + trustPolicies), not a notary-gate policy; ' +
        'name it from a rule: notation: { trustPolicy: FILE, trustStore: DIR } (docs/notation.md)'
      );
    }
    return undefined;
  }
  if (apiVersion === POLICY_API_VERSION && (kind === undefined || kind === POLICY_KIND)) return undefined;
  if (apiVersion === undefined && kind === POLICY_KIND) return undefined;
  const header = `${String(apiVersion ?? '(no apiVersion)')} ${String(kind ?? '(no kind)')}`;
  if (apiVersion === POLICY_API_VERSION) return `${header}: notary-gate/v1 has only kind ${POLICY_KIND}`;
  if (typeof apiVersion === 'string' && apiVersion.startsWith('notary-gate/')) {
    return `${header}: this notary-gate supports only apiVersion ${POLICY_API_VERSION}`;
  }
  const group = typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const known = KNOWN_GROUPS.find(([pattern]) => pattern.test(group ?? ''));
  if (known) return `${header}: this is ${known[1]}, not ${ours}`;
  if (typeof apiVersion === 'string' && typeof kind === 'string') {
    return `${header}: this is a Kubernetes manifest, not ${ours}`;
  }
  return `${header}: not ${ours}`;
}
