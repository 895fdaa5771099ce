/**
 * Notary's delegation rules (tuf/data/roles.go): paths are plain prefixes (`""` allows every target), and a
 * delegation may only narrow what its parent was allowed.
 */

/** The top-level targets role may sign every target. */
export const ALL_PATHS: readonly string[] = [''];

/** Role names notary accepts for delegations (roles.go IsDelegation): `targets/…`, clean, lowercase, < 256 chars. */
const DELEGATION_NAME = /^targets(\/[-a-z0-9_]+)+$/;

export function isDelegationName(role: string): boolean {
  return role.length < 256 && DELEGATION_NAME.test(role);
}

/** `targets/a/b` -> `targets/a`: a delegation is valid only when listed by its direct parent (IsParentOf). */
export function parentOf(role: string): string {
  return role.slice(0, role.lastIndexOf('/'));
}

/**
 * The child's paths that lie within the parent's (RestrictDelegationPathPrefixes). Absent or empty paths allow
 * nothing, as in notary (`notary delegation add --all-paths` writes `[""]`).
 */
export function restrictPaths(parentPaths: readonly string[], childPaths: readonly string[] | undefined): string[] {
  return (childPaths ?? []).filter((path) => parentPaths.some((prefix) => path.startsWith(prefix)));
}

/** Whether a role with these paths may sign this target name (CheckPaths). */
export function pathAllowed(paths: readonly string[], targetName: string): boolean {
  return paths.some((prefix) => targetName.startsWith(prefix));
}
