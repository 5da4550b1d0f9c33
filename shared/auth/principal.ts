/** Who is calling, once authenticated. */
export const HUMAN_ROLES = ['reader', 'deployer', 'admin'] as const;
export const SERVICE_ROLES = ['provisioner', 'microservice'] as const;
export const ROLES = [...HUMAN_ROLES, ...SERVICE_ROLES] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** Token id (or JWT subject): safe to log, never the secret. */
  id: string;
  name: string;
  role: Role;
  /** Domains the principal may act on; `*` means all. */
  domains: string[];
}

export function actsOnDomain(principal: Principal, domain: string): boolean {
  return principal.domains.includes('*') || principal.domains.includes(domain);
}

/** How the principal appears in the state history. */
export function actorOf(principal: Principal): string {
  return `${principal.role}:${principal.name}`;
}
