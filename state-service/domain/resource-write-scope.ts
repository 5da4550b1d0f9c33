import type { Principal } from '../../shared/auth/principal.js';
import { allResources, type ResourceKind } from '../../shared/descriptor/types.js';
import { ConflictError, ForbiddenError } from '../../shared/errors.js';
import type { DataProductRecord, ResourceRecord, ResourceWrite } from '../../shared/state/records.js';

/** What a microservice credential may write: resources of these technologies (and kinds, when narrowed). */
export interface WriterScope {
  technologies: readonly string[];
  kinds?: readonly ResourceKind[];
}

/** The scope of a caller's resource writes; undefined for the provisioner, which writes any resource. */
export function writerScopeOf(principal: Principal): WriterScope | undefined {
  if (principal.role !== 'microservice') return undefined;
  return {
    technologies: principal.technologies ?? [],
    ...(principal.kinds ? { kinds: principal.kinds } : {}),
  };
}

interface Identity {
  kind: ResourceKind;
  technology: string;
}

/**
 * Pure check of a microservice's resource write, before the fencing rules of
 * `decideResourceWrite`: the resource must be one its data product's
 * operation (the operation the write names) dispatches; it must be what the
 * stored descriptor declares (or, for a resource being deleted, what its
 * stored record says), and that must be of a technology (and kind) the
 * credential serves. A write that claims another kind or technology than that
 * is refused too. ForbiddenError (403) when the credential may not write the
 * resource at all; ConflictError (409) when the write disagrees with the
 * stored state. An unknown data product is left to `decideResourceWrite` (404).
 */
export function assertWriteInScope(
  dataProduct: DataProductRecord | undefined,
  current: ResourceRecord | undefined,
  write: ResourceWrite,
  scope: WriterScope,
): void {
  if (!dataProduct) return;
  const details = { currentState: current?.state ?? 'NONE', operationId: dataProduct.operationId };
  const operation = dataProduct.operation;
  if (!operation || dataProduct.operationId !== write.operationId) {
    throw new ConflictError(
      `operation ${write.operationId} is not the data product's operation (${dataProduct.operationId ?? 'none'})`,
      details,
    );
  }
  const step = operation.steps.find(
    (candidate) => candidate.name === write.name && candidate.method !== null,
  );
  if (!step) {
    throw new ForbiddenError(`resource ${write.name} is not dispatched by operation ${write.operationId}`);
  }
  const declared = dataProduct.descriptor
    ? allResources(dataProduct.descriptor).find((resource) => resource.name === write.name)
    : undefined;
  const [expected, source]: [Identity | undefined, string] =
    step.action === 'delete' && current ? [current, 'stored record'] : [declared, 'stored descriptor'];
  if (!expected) {
    throw new ForbiddenError(
      `resource ${write.name} is not declared by the data product's stored descriptor`,
    );
  }
  if (!covers(scope, expected)) {
    throw new ForbiddenError(
      `this credential writes ${describeScope(scope)} resources; resource ${write.name} is a ${expected.technology} ${expected.kind}`,
    );
  }
  const claimed = { kind: write.kind ?? expected.kind, technology: write.technology ?? expected.technology };
  if (claimed.kind !== expected.kind || claimed.technology !== expected.technology) {
    throw new ConflictError(
      `resource ${write.name} is a ${expected.technology} ${expected.kind} by the ${source}, not a ${claimed.technology} ${claimed.kind}`,
      details,
    );
  }
}

/** A heartbeat keeps a resource's work alive: only a credential that could write the resource sends one. */
export function assertHeartbeatInScope(resource: ResourceRecord, scope: WriterScope): void {
  if (!covers(scope, resource)) {
    throw new ForbiddenError(
      `this credential writes ${describeScope(scope)} resources; resource ${resource.name} is a ${resource.technology} ${resource.kind}`,
    );
  }
}

function covers(scope: WriterScope, resource: Identity): boolean {
  return (
    scope.technologies.includes(resource.technology) &&
    (scope.kinds === undefined || scope.kinds.includes(resource.kind))
  );
}

function describeScope(scope: WriterScope): string {
  if (scope.technologies.length === 0) return 'no';
  const kinds = scope.kinds ? ` ${scope.kinds.join('/')}` : '';
  return `${scope.technologies.join(', ')}${kinds}`;
}
