import {
  humanRoleRank,
  isHumanRole,
  isServiceRole,
  type Principal,
  type Role,
} from '../../shared/auth/principal.js';
import type { NewToken, Provenance } from '../../shared/auth/token-service.js';
import type { TokenSummary } from '../../shared/auth/token-store.js';
import { ForbiddenError, ValidationError, type ValidationIssue } from '../../shared/errors.js';

/**
 * Who may administer which tokens. Pure: the state service's token use cases
 * ask it before every issue, rotation and revocation, and filter listings by
 * it. An admin administers tokens whose domains are all its own (an admin of
 * `*` administers every token; a `*` token only an admin of `*`); only an
 * admin of `*` issues `*` tokens and service credentials; nobody issues a
 * role above their own. A microservice credential with `mayIssue` (the
 * observability service) issues tokens of those roles for exactly one domain
 * each, and rotates and revokes only tokens it issued. Nobody else
 * administers tokens: readers, deployers, the provisioner, other services.
 */
type Authority =
  | { kind: 'admin'; everyDomain: boolean; domains: readonly string[]; role: 'admin' }
  | { kind: 'issuer'; id: string; roles: readonly Role[] };

function authorityOf(caller: Principal): Authority {
  if (caller.role === 'admin' && !caller.serviceIssued) {
    return {
      kind: 'admin',
      everyDomain: caller.domains.includes('*'),
      domains: caller.domains,
      role: 'admin',
    };
  }
  if (caller.role === 'microservice' && caller.mayIssue && caller.mayIssue.length > 0) {
    return { kind: 'issuer', id: caller.id, roles: caller.mayIssue };
  }
  throw new ForbiddenError(`role ${caller.role} may not manage tokens`);
}

/** Refuses what the caller may not issue; answers who issued it, to be recorded with the token. */
export function decideIssue(caller: Principal, request: NewToken): Provenance {
  const authority = authorityOf(caller);
  const bound = bindingsOf(request);
  if (authority.kind === 'issuer') {
    if (!authority.roles.includes(request.role)) {
      throw new ForbiddenError(
        `this credential issues only ${authority.roles.join(', ')} tokens, not ${request.role}`,
      );
    }
    const [domain, ...others] = request.domains;
    if (domain === undefined || domain === '*' || others.length > 0) {
      throw new ForbiddenError('this credential issues tokens for exactly one domain, never *');
    }
    if (bound.length > 0) throw new ForbiddenError(`this credential may not issue ${bound.join(', ')}`);
    return { issuedBy: caller.id, serviceIssued: true };
  }
  assertCoherentBindings(request, bound);
  if (isServiceRole(request.role) && !authority.everyDomain) {
    throw new ForbiddenError(
      `only an admin of every domain (*) issues service credentials (role ${request.role})`,
    );
  }
  if (request.domains.includes('*') && !authority.everyDomain) {
    throw new ForbiddenError('only an admin of every domain (*) issues tokens for every domain (*)');
  }
  const outside = authority.everyDomain
    ? []
    : request.domains.filter((domain) => !authority.domains.includes(domain));
  if (outside.length > 0) {
    throw new ForbiddenError(
      `this token administers ${authority.domains.join(', ')}; it may not issue a token for ${outside.join(', ')}`,
    );
  }
  if (isHumanRole(request.role) && humanRoleRank(request.role) > humanRoleRank(authority.role)) {
    throw new ForbiddenError(`a ${authority.role} may not issue a ${request.role} token`);
  }
  return { issuedBy: caller.id };
}

/** Whether the caller may see, rotate and revoke the token: listings leave out the others. */
export function mayAdminister(caller: Principal, target: TokenSummary): boolean {
  const authority = authorityOf(caller);
  if (authority.kind === 'issuer') return target.issuedBy === authority.id;
  if (authority.everyDomain) return true;
  if (isServiceRole(target.role) || target.domains.includes('*')) return false;
  return target.domains.every((domain) => authority.domains.includes(domain));
}

/** Throws ForbiddenError unless the caller may rotate or revoke the token. */
export function assertMayAdminister(caller: Principal, target: TokenSummary): void {
  if (mayAdminister(caller, target)) return;
  const authority = authorityOf(caller);
  throw new ForbiddenError(
    authority.kind === 'issuer'
      ? `token ${target.id} was not issued by this credential`
      : `token ${target.id} acts beyond the domains this token administers (${authority.domains.join(', ')})`,
  );
}

/** Throws ForbiddenError unless the caller may list tokens at all (what it sees is `mayAdminister`'s). */
export function assertMayList(caller: Principal): void {
  authorityOf(caller);
}

function bindingsOf(request: NewToken): string[] {
  return (['technologies', 'kinds', 'mayIssue'] as const).filter((field) => request[field] !== undefined);
}

/** Bindings narrow a microservice credential; on any other role they would mean nothing, so they are refused. */
function assertCoherentBindings(request: NewToken, bound: readonly string[]): void {
  const issues: ValidationIssue[] = [];
  if (request.role !== 'microservice') {
    for (const field of bound) {
      issues.push({ path: `/${field}`, message: `only microservice credentials carry ${field}` });
    }
  } else if (request.kinds !== undefined && request.technologies === undefined) {
    issues.push({ path: '/kinds', message: 'narrows technologies: give technologies too' });
  }
  if (issues.length > 0) throw new ValidationError('The token request is invalid', issues);
}
