import { dependentsOf, graphOf } from '../../shared/descriptor/dependency-graph.js';
import {
  allResources,
  type DataProductDescriptor,
  type ResourceDescriptor,
} from '../../shared/descriptor/types.js';
import type {
  LifecycleState,
  ResourceMethod,
  ResourceState,
  TransitState,
} from '../../shared/state/lifecycle.js';
import type { DataProductStateDocument } from '../../shared/state/records.js';

export type OperationKind = 'deploy' | 'delete';

/** One resource's part in an operation: what to call, and what must succeed first. */
export interface PlannedStep {
  resource: ResourceDescriptor;
  /** null: nothing to do (already in the target state). */
  method: ResourceMethod | null;
  /** Names whose step must succeed before this one starts. */
  waitsFor: string[];
}

export interface OperationPlan {
  kind: OperationKind;
  /** The transit state the data product takes for the operation. */
  transit: TransitState;
  steps: PlannedStep[];
}

type StoredResources = DataProductStateDocument['resources'];

/**
 * Deploy (thesis §5.4 step 5, per resource): a resource that does not exist
 * (NONE, DELETED) or FAILED is created with POST, a CREATED one is updated
 * with PUT. A resource waits for everything it depends on.
 */
export function planDeploy(
  descriptor: DataProductDescriptor,
  stored: DataProductStateDocument | undefined,
): OperationPlan {
  const states = stateByName(stored?.resources ?? []);
  const steps = allResources(descriptor).map((resource) => ({
    resource,
    method: (states.get(resource.name) ?? 'NONE') === 'CREATED' ? ('PUT' as const) : ('POST' as const),
    waitsFor: [...resource.dependsOn],
  }));
  return { kind: 'deploy', transit: stored?.state === 'CREATED' ? 'UPDATING' : 'CREATING', steps };
}

/**
 * Delete in reverse dependency order: a resource waits until everything that
 * depends on it is deleted. Resources that do not exist need no call.
 */
export function planDelete(stored: DataProductStateDocument): OperationPlan {
  const records = new Map(stored.resources.map((record) => [record.name, record]));
  const declared = stored.descriptor ? allResources(stored.descriptor) : [];
  const resources = new Map(declared.map((resource) => [resource.name, resource]));
  for (const record of stored.resources) {
    const resource = record.applied ?? resources.get(record.name);
    if (resource) resources.set(record.name, resource);
  }
  const dependents = dependentsOf(graphOf([...resources.values()]));
  const steps = [...resources.values()].map((resource) => {
    const state = records.get(resource.name)?.state ?? 'NONE';
    return {
      resource,
      method: state === 'NONE' || state === 'DELETED' ? null : ('DELETE' as const),
      waitsFor: dependents.get(resource.name) ?? [],
    };
  });
  return { kind: 'delete', transit: 'DELETING', steps };
}

/** A delete with nothing to do: the data product and every resource are already gone. */
export function isAlreadyDeleted(stored: DataProductStateDocument, plan: OperationPlan): boolean {
  return stored.state === 'DELETED' && plan.steps.every((step) => step.method === null);
}

export function finalState(kind: OperationKind, allSucceeded: boolean): LifecycleState {
  if (!allSucceeded) return 'NOT_COMPLETED';
  return kind === 'deploy' ? 'CREATED' : 'DELETED';
}

function stateByName(resources: StoredResources): Map<string, ResourceState> {
  return new Map(resources.map((record) => [record.name, record.state]));
}
