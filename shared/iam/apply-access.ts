import { type AccessHolders, type AccessLevel, accessByRole, diffAccess } from './access-diff.js';
import type { PolicyDocument, RoleGrants } from './role-grants.js';

/**
 * Replace semantics (thesis code 5.3, without its delete-then-attach gap):
 * every desired role gets (again) the policy of its access level, then every
 * role no longer desired loses it. Re-granting the unchanged roles makes a
 * re-dispatched resource converge on the policy it should have.
 */
export async function applyAccess(
  grants: RoleGrants,
  policyName: string,
  previous: AccessHolders | null,
  desired: AccessHolders,
  policyFor: (access: AccessLevel) => PolicyDocument,
): Promise<void> {
  const desiredAccess = accessByRole(desired);
  for (const [role, access] of desiredAccess) await grants.grant(role, policyName, policyFor(access));
  for (const role of diffAccess(previous, desired).revoked) await grants.revoke(role, policyName);
}

/** Every role that held the policy, now or as last applied, loses it: owners first, as they hold the most. */
export async function revokeAccess(
  grants: RoleGrants,
  policyName: string,
  ...holders: (AccessHolders | null)[]
): Promise<void> {
  const roles = new Set(
    holders.flatMap((holder) => (holder ? [...(holder.owner ? [holder.owner] : []), ...holder.allow] : [])),
  );
  for (const role of roles) await grants.revoke(role, policyName);
}
