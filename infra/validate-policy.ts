/**
 * Validates the staged policy with the same loader the Lambda uses, so a bad policy fails `cdk synth` (naming the
 * field) instead of failing every admission after deploy. Imported lazily: the loader is only needed with a policy.
 */
export async function validatePolicyFile(file: string): Promise<void> {
  const { loadPolicy } = await import('../shared/policy/load');
  await loadPolicy({ file });
}
