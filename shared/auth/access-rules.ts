import { ForbiddenError, ValidationError } from '../errors.js';
import { actsOnDomain, type Principal, type Role } from './principal.js';

/**
 * What a request does, as far as authorization cares. Every route of every
 * service declares one; this table is the whole policy.
 */
export type Action =
  | 'read'
  | 'read-events'
  | 'deploy'
  | 'write-state'
  | 'report-resource'
  | 'call-microservice';

const ALLOWED: Record<Action, readonly Role[]> = {
  read: ['reader', 'deployer', 'admin', 'provisioner', 'microservice'],
  /** Event payloads are a domain's data: its people read them, no service credential does. */
  'read-events': ['reader', 'deployer', 'admin'],
  deploy: ['deployer', 'admin'],
  /** Data product transitions, leases, cancellation: only the provisioner moves a data product. */
  'write-state': ['provisioner'],
  /** Resource transitions and heartbeats: the provisioner and the microservices doing the work. */
  'report-resource': ['provisioner', 'microservice'],
  'call-microservice': ['provisioner'],
};

/** Domain scoping applies to people; services act for every domain. */
const DOMAIN_SCOPED: readonly Role[] = ['reader', 'deployer', 'admin'];

/**
 * Throws ForbiddenError unless the principal may perform the action (on the
 * domain, when there is one). Token administration is decided apart, by
 * `state-service/domain/token-administration.ts`.
 */
export function authorize(principal: Principal, action: Action, domain?: string): void {
  if (!ALLOWED[action].includes(principal.role)) {
    throw new ForbiddenError(`role ${principal.role} may not ${action.replaceAll('-', ' ')}`);
  }
  // A token a service issued (an observability function's) reads its domain's state and nothing else.
  if (principal.serviceIssued && action !== 'read') {
    throw new ForbiddenError(
      `a token issued by a service may only read state, not ${action.replaceAll('-', ' ')}`,
    );
  }
  if (domain !== undefined && DOMAIN_SCOPED.includes(principal.role) && !actsOnDomain(principal, domain)) {
    throw new ForbiddenError(`this token may not act on domain ${domain}`);
  }
}

/**
 * The domain a listing is restricted to: none for principals that see every
 * domain, the only one of a single-domain token; a token for several domains
 * must name the one it lists.
 */
export function listingDomainOf(principal: Principal): string | undefined {
  if (!DOMAIN_SCOPED.includes(principal.role) || principal.domains.includes('*')) return undefined;
  if (principal.domains.length === 1) return principal.domains[0];
  throw new ValidationError('The query is invalid', [
    { path: '/query/domain', message: `is required: this token acts on ${principal.domains.join(', ')}` },
  ]);
}
