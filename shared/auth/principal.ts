import type { ResourceKind } from '../descriptor/types.js';

/** Who is calling, once authenticated. */
export const HUMAN_ROLES = ['reader', 'deployer', 'admin'] as const;
export const SERVICE_ROLES = ['provisioner', 'microservice'] as const;
export const ROLES = [...HUMAN_ROLES, ...SERVICE_ROLES] as const;
export type Role = (typeof ROLES)[number];
export type HumanRole = (typeof HUMAN_ROLES)[number];

/** The roles a service credential may be allowed to issue (see `mayIssue`): readers, nothing stronger. */
export const ISSUABLE_BY_SERVICES = ['reader'] as const;

export interface Principal {
  /** Token id (or JWT subject): safe to log, never the secret. */
  id: string;
  name: string;
  role: Role;
  /** Domains the principal may act on; `*` means all. */
  domains: string[];
  /** A microservice credential's technologies: the only resources it may write. Absent: none. */
  technologies?: string[];
  /** Narrows `technologies` to these kinds of resource (`aws-lambda` serves two); absent: every kind. */
  kinds?: ResourceKind[];
  /** A microservice credential that may issue tokens of these roles, for one domain each (the observability service). */
  mayIssue?: Role[];
  /** Issued by a service credential, not a person (an observability function's reader): it reads state, nothing more. */
  serviceIssued?: boolean;
}

export function isHumanRole(role: string): role is HumanRole {
  return (HUMAN_ROLES as readonly string[]).includes(role);
}

export function isServiceRole(role: string): boolean {
  return (SERVICE_ROLES as readonly string[]).includes(role);
}

/** reader < deployer < admin: nobody hands out more than they hold. */
export function humanRoleRank(role: HumanRole): number {
  return HUMAN_ROLES.indexOf(role);
}

export function actsOnDomain(principal: Principal, domain: string): boolean {
  return principal.domains.includes('*') || principal.domains.includes(domain);
}

/** How the principal appears in the state history. */
export function actorOf(principal: Principal): string {
  return `${principal.role}:${principal.name}`;
}
