import type { DataProductDescriptor, DataProductRef } from '../../shared/descriptor/types.js';
import { refOf } from '../../shared/descriptor/types.js';
import type { ValidationIssue } from '../../shared/errors.js';
import { isTransit, type LifecycleState } from '../../shared/state/lifecycle.js';
import type { DataProductStateDocument, PlannedAction } from '../../shared/state/records.js';
import type { OperationPlan } from './plan-operation.js';

export interface PlannedResourceView {
  name: string;
  kind: string;
  technology: string;
  action: PlannedAction;
  reason?: string;
  acl?: { granted: { role: string; access: string }[]; revoked: string[] };
  changes?: string[];
  waitsFor: string[];
}

export interface PlanView extends DataProductRef {
  currentState: LifecycleState;
  /** What the data product would move to; null when a deploy would do nothing. */
  transit: LifecycleState | null;
  resources: PlannedResourceView[];
  waves: string[][];
  immutable: ValidationIssue[];
}

/** The plan as the plan endpoint shows it. While the data product is in transit, everything is blocked. */
export function planView(
  descriptor: DataProductDescriptor,
  stored: DataProductStateDocument | undefined,
  plan: OperationPlan,
): PlanView {
  const busy =
    stored && isTransit(stored.state)
      ? `data product is ${stored.state} under operation ${stored.operationId}`
      : null;
  const nothing = plan.steps.every((step) => step.action === 'noop') && stored?.state === 'CREATED';
  return {
    ...refOf(descriptor),
    currentState: stored?.state ?? 'NONE',
    transit: nothing ? null : plan.transit,
    resources: plan.steps.map((step) => ({
      name: step.name,
      kind: step.resource.kind,
      technology: step.resource.technology,
      action: busy ? 'blocked' : step.action,
      ...(busy ? { reason: busy } : step.reason ? { reason: step.reason } : {}),
      ...(step.acl && !busy ? { acl: step.acl } : {}),
      ...(step.changes && !busy ? { changes: step.changes } : {}),
      waitsFor: step.waitsFor,
    })),
    waves: busy ? [] : plan.waves,
    immutable: plan.immutable,
  };
}
