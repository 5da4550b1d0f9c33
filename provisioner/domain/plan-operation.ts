import { dependentsOf, executionWaves, graphOf } from '../../shared/descriptor/dependency-graph.js';
import {
  allResources,
  type DataProductDescriptor,
  RESOURCE_LISTS,
  type ResourceDescriptor,
} from '../../shared/descriptor/types.js';
import type { ValidationIssue } from '../../shared/errors.js';
import { type AccessDiff, diffAccess } from '../../shared/iam/access-diff.js';
import { canonicalJson, immutableChanges } from '../../shared/microservice/immutable-fields.js';
import { isTransit, type LifecycleState, type TransitState } from '../../shared/state/lifecycle.js';
import type {
  DataProductStateDocument,
  OperationStep,
  PlannedAction,
  PublicResourceRecord,
} from '../../shared/state/records.js';

export type OperationKind = 'deploy' | 'delete';

/** A planned step with the resource it acts on and, for an update, what changes. */
export interface PlannedStep extends OperationStep {
  resource: ResourceDescriptor;
  acl?: Pick<AccessDiff, 'granted' | 'revoked'>;
  changes?: string[];
}

export interface OperationPlan {
  kind: OperationKind;
  /** The transit state the data product takes for the operation. */
  transit: TransitState;
  steps: PlannedStep[];
  /** Resource names that run together, wave after wave (steps with a call only). */
  waves: string[][];
  /** Changes no update can make; a deploy with any is refused. */
  immutable: ValidationIssue[];
}

const ACTION_METHODS = {
  create: 'POST',
  update: 'PUT',
  delete: 'DELETE',
  noop: null,
  blocked: null,
} as const;
const COMPARED_FIELDS = [
  'type',
  'technology',
  'description',
  'owner',
  'allow',
  'dependsOn',
  'specific',
] as const;

/**
 * Deploy (thesis §5.4 step 5, made incremental): create what does not exist
 * or FAILED, update what changed (owner/allow with replace semantics), leave
 * unchanged resources alone, delete what the descriptor no longer lists
 * (dependents first). Pure: the plan endpoint and the deploy run the same code.
 */
export function planDeploy(
  descriptor: DataProductDescriptor,
  stored: DataProductStateDocument | undefined,
  immutableSpecificOf: (resource: ResourceDescriptor) => readonly string[],
): OperationPlan {
  const records = new Map((stored?.resources ?? []).map((record) => [record.name, record]));
  const immutable: ValidationIssue[] = [];
  const steps: PlannedStep[] = allResources(descriptor).map((resource) => {
    const record = records.get(resource.name);
    // Transit with the data product settled means its operation is over: treat the resource as FAILED.
    const state = record && isTransit(record.state) ? 'FAILED' : (record?.state ?? 'NONE');
    const exists = state === 'CREATED' || state === 'FAILED';
    if (exists && record?.applied) {
      const issues = immutableChanges(
        record.applied,
        resource,
        immutableSpecificOf(resource),
        pathOf(descriptor, resource),
      );
      if (issues.length > 0) {
        immutable.push(...issues);
        return blocked(resource, issues.map((issue) => issue.message).join('; '));
      }
    }
    if (state !== 'CREATED') return step(resource, 'create', resource.dependsOn);
    const changes = changedFields(record?.applied ?? null, resource);
    if (changes.length === 0) return step(resource, 'noop', resource.dependsOn);
    const { granted, revoked } = diffAccess(record?.applied ?? null, resource);
    return { ...step(resource, 'update', resource.dependsOn), acl: { granted, revoked }, changes };
  });

  const declared = new Set(steps.map((planned) => planned.name));
  const removed = [...records.values()].filter(
    (record) => !declared.has(record.name) && record.state !== 'NONE' && record.state !== 'DELETED',
  );
  steps.push(
    ...deletionSteps(
      removed.map((record) => ({ resource: record.applied ?? minimalResource(record), record })),
    ),
  );
  blockDependentsOfBlocked(steps);
  return {
    kind: 'deploy',
    transit: stored?.state === 'CREATED' ? 'UPDATING' : 'CREATING',
    steps,
    waves: wavesOf(steps),
    immutable,
  };
}

/** Delete in reverse dependency order: a resource waits until everything that depends on it is deleted. */
export function planDelete(stored: DataProductStateDocument): OperationPlan {
  const records = new Map(stored.resources.map((record) => [record.name, record]));
  const declared = stored.descriptor ? allResources(stored.descriptor) : [];
  const known = new Map<string, PublicResourceRecord | undefined>(
    declared.map((resource) => [resource.name, undefined]),
  );
  for (const record of stored.resources) known.set(record.name, record);
  const resources = [...known.keys()].map((name) => ({
    resource:
      records.get(name)?.applied ??
      declared.find((item) => item.name === name) ??
      minimalResource(records.get(name)),
    record: records.get(name),
  }));
  const steps = deletionSteps(resources);
  blockDependentsOfBlocked(steps);
  return { kind: 'delete', transit: 'DELETING', steps, waves: wavesOf(steps), immutable: [] };
}

/** A deploy that would call nothing on a data product that is already CREATED. */
export function isNothingToDo(stored: DataProductStateDocument | undefined, plan: OperationPlan): boolean {
  const target = plan.kind === 'deploy' ? 'CREATED' : 'DELETED';
  return stored?.state === target && plan.steps.every((planned) => planned.action === 'noop');
}

export function finalState(kind: OperationKind, allSucceeded: boolean): LifecycleState {
  if (!allSucceeded) return 'NOT_COMPLETED';
  return kind === 'deploy' ? 'CREATED' : 'DELETED';
}

/** The persisted form of a plan's steps: what a resumed run needs. */
export function persistedSteps(plan: OperationPlan): OperationStep[] {
  return plan.steps.map(({ name, action, method, waitsFor, reason }) => ({
    name,
    action,
    method,
    waitsFor,
    ...(reason ? { reason } : {}),
  }));
}

function deletionSteps(
  entries: { resource: ResourceDescriptor; record?: PublicResourceRecord }[],
): PlannedStep[] {
  const dependents = dependentsOf(graphOf(entries.map(({ resource }) => resource)));
  return entries.map(({ resource, record }) => {
    const state = record?.state ?? 'NONE';
    const gone = state === 'NONE' || state === 'DELETED';
    return step(resource, gone ? 'noop' : 'delete', dependents.get(resource.name) ?? []);
  });
}

function step(resource: ResourceDescriptor, action: PlannedAction, waitsFor: readonly string[]): PlannedStep {
  return { name: resource.name, resource, action, method: ACTION_METHODS[action], waitsFor: [...waitsFor] };
}

function blocked(resource: ResourceDescriptor, reason: string): PlannedStep {
  return { ...step(resource, 'blocked', resource.dependsOn), reason };
}

/** A step cannot run when something it waits for cannot: say which, transitively. */
function blockDependentsOfBlocked(steps: PlannedStep[]): void {
  const byName = new Map(steps.map((planned) => [planned.name, planned]));
  let changed = true;
  while (changed) {
    changed = false;
    for (const planned of steps) {
      if (planned.action === 'blocked' || planned.action === 'noop') continue;
      const stopper = planned.waitsFor.find((name) => byName.get(name)?.action === 'blocked');
      if (stopper) {
        Object.assign(planned, {
          action: 'blocked',
          method: null,
          reason: `waits for ${stopper}, which is blocked`,
        });
        changed = true;
      }
    }
  }
}

function wavesOf(steps: PlannedStep[]): string[][] {
  const running = new Set(steps.filter((planned) => planned.method !== null).map((planned) => planned.name));
  return executionWaves(
    graphOf(
      steps
        .filter((planned) => running.has(planned.name))
        .map((planned) => ({
          name: planned.name,
          dependsOn: planned.waitsFor.filter((name) => running.has(name)),
        })),
    ),
  );
}

function changedFields(applied: ResourceDescriptor | null, desired: ResourceDescriptor): string[] {
  if (!applied) return ['(no applied descriptor recorded)'];
  const normalise = (resource: ResourceDescriptor, field: (typeof COMPARED_FIELDS)[number]) => {
    const value = resource[field];
    return canonicalJson(Array.isArray(value) ? [...value].sort() : value);
  };
  return COMPARED_FIELDS.filter((field) => normalise(applied, field) !== normalise(desired, field));
}

function pathOf(descriptor: DataProductDescriptor, resource: ResourceDescriptor): string {
  for (const [listName, kind] of Object.entries(RESOURCE_LISTS)) {
    if (kind !== resource.kind) continue;
    const index = descriptor[listName as keyof typeof RESOURCE_LISTS].findIndex(
      (item) => item.name === resource.name,
    );
    if (index >= 0) return `/${listName}/${index}`;
  }
  return '';
}

function minimalResource(record: PublicResourceRecord | undefined): ResourceDescriptor {
  return {
    kind: record?.kind ?? 'outputPort',
    name: record?.name ?? 'unknown',
    type: 'unknown',
    technology: record?.technology ?? 'unknown',
    allow: [],
    dependsOn: [],
    specific: {},
  };
}
