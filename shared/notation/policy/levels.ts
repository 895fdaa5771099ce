/**
 * Verification levels (trust-store-trust-policy.md, "Signature Verification details"): a table from check to
 * action. `override` changes single entries; integrity is never overridable and only revocation may be skipped
 * (notation-go GetVerificationLevel).
 */
export const CHECKS = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'] as const;
export type CheckType = (typeof CHECKS)[number];
export type CheckAction = 'enforce' | 'log' | 'skip';
export const LEVEL_NAMES = ['strict', 'permissive', 'audit', 'skip'] as const;
export type LevelName = (typeof LEVEL_NAMES)[number];
export type CheckActions = Readonly<Record<CheckType, CheckAction>>;

export const LEVELS: Readonly<Record<LevelName, CheckActions>> = {
  strict: {
    integrity: 'enforce',
    authenticity: 'enforce',
    authenticTimestamp: 'enforce',
    expiry: 'enforce',
    revocation: 'enforce',
  },
  permissive: {
    integrity: 'enforce',
    authenticity: 'enforce',
    authenticTimestamp: 'log',
    expiry: 'log',
    revocation: 'log',
  },
  audit: { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  skip: { integrity: 'skip', authenticity: 'skip', authenticTimestamp: 'skip', expiry: 'skip', revocation: 'skip' },
};

/** The action table of a level with its overrides; throws a message naming the bad override. */
export function resolveActions(level: LevelName, override: Readonly<Record<string, unknown>>): CheckActions {
  const actions: Record<CheckType, CheckAction> = { ...LEVELS[level] };
  const entries = Object.entries(override);
  if (level === 'skip' && entries.length > 0) throw new Error('level "skip" cannot be overridden');
  for (const [check, action] of entries) {
    if (!(CHECKS as readonly string[]).includes(check)) {
      throw new Error(`override "${check}" is not one of ${CHECKS.filter((c) => c !== 'integrity').join(', ')}`);
    }
    if (check === 'integrity') throw new Error('override "integrity" is not allowed: integrity is always enforced');
    if (action !== 'enforce' && action !== 'log' && action !== 'skip') {
      throw new Error(`override "${check}" must be enforce, log or skip`);
    }
    if (action === 'skip' && check !== 'revocation') throw new Error(`override "${check}" cannot be skip`);
    actions[check as CheckType] = action;
  }
  return actions;
}
