/** Who may do what on a resource, from its descriptor. */
export type AccessLevel = 'read-write' | 'read-only';

export interface AccessHolders {
  owner?: string;
  allow: readonly string[];
}

/** The owner gets read-write; every other `allow` role read-only. */
export function accessByRole({ owner, allow }: AccessHolders): Map<string, AccessLevel> {
  const access = new Map<string, AccessLevel>(allow.map((role) => [role, 'read-only']));
  if (owner) access.set(owner, 'read-write');
  return access;
}

export interface AccessDiff {
  /** Roles to grant (or whose level changes), with their new level. */
  granted: { role: string; access: AccessLevel }[];
  /** Roles that lose access. */
  revoked: string[];
  unchanged: string[];
}

/** Replace semantics: the desired holders are the whole truth; everyone else previously granted is revoked. */
export function diffAccess(previous: AccessHolders | null, desired: AccessHolders): AccessDiff {
  const before = previous ? accessByRole(previous) : new Map<string, AccessLevel>();
  const after = accessByRole(desired);
  const diff: AccessDiff = { granted: [], revoked: [], unchanged: [] };
  for (const [role, access] of after) {
    if (before.get(role) === access) diff.unchanged.push(role);
    else diff.granted.push({ role, access });
  }
  for (const role of before.keys()) if (!after.has(role)) diff.revoked.push(role);
  return diff;
}
