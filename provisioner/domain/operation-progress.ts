import type { ResourceMethod, ResourceState } from '../../shared/state/lifecycle.js';
import { RESOURCE_METHOD_STATES } from '../../shared/state/lifecycle.js';
import type { OperationPlan } from './plan-operation.js';

export type StepStatus = 'pending' | 'dispatching' | 'in-flight' | 'succeeded' | 'failed' | 'blocked';

export interface StepProgress {
  name: string;
  method: ResourceMethod | null;
  waitsFor: string[];
  status: StepStatus;
  /** When the microservice accepted the call (ms since epoch), for the timeout. */
  acceptedAt?: number;
  timeoutMs: number;
  error?: string;
  /** The step whose failure stopped this one. */
  blockedBy?: string;
}

/** What the state service says of a resource, as far as progress needs it. */
export interface ObservedResource {
  state: ResourceState;
  operationId: string | null;
  lastError: string | null;
}

export type Observation =
  | { kind: 'waiting' }
  | { kind: 'succeeded' }
  | { kind: 'failed'; error: string }
  | { kind: 'timed-out'; error: string };

/**
 * Pure bookkeeping of a running operation. The runner asks which steps are
 * ready, records what happened, and stops when nothing can move any more.
 */
export class OperationProgress {
  readonly steps: Map<string, StepProgress>;

  constructor(plan: OperationPlan, timeoutFor: (technology: string) => number) {
    this.steps = new Map(
      plan.steps.map((step) => [
        step.resource.name,
        {
          name: step.resource.name,
          method: step.method,
          waitsFor: step.waitsFor.filter((name) => plan.steps.some((other) => other.resource.name === name)),
          status: step.method === null ? 'succeeded' : 'pending',
          timeoutMs: timeoutFor(step.resource.technology),
        },
      ]),
    );
  }

  /** Marks pending steps behind a failure as blocked (transitively), and returns those now free to start. */
  takeReady(): StepProgress[] {
    let changed = true;
    while (changed) {
      changed = false;
      for (const step of this.pending()) {
        const stopper = step.waitsFor.find((name) => {
          const status = this.steps.get(name)?.status;
          return status === 'failed' || status === 'blocked';
        });
        if (stopper) {
          step.status = 'blocked';
          step.blockedBy = stopper;
          changed = true;
        }
      }
    }
    const ready = this.pending().filter((step) =>
      step.waitsFor.every((name) => this.steps.get(name)?.status === 'succeeded'),
    );
    for (const step of ready) step.status = 'dispatching';
    return ready;
  }

  accepted(name: string, now: number): void {
    this.update(name, { status: 'in-flight', acceptedAt: now });
  }

  failed(name: string, error: string): void {
    this.update(name, { status: 'failed', error });
  }

  succeeded(name: string): void {
    this.update(name, { status: 'succeeded' });
  }

  inFlight(): StepProgress[] {
    return [...this.steps.values()].filter((step) => step.status === 'in-flight');
  }

  /** Judges an in-flight step against the state service's view of its resource. */
  observe(
    step: StepProgress,
    resource: ObservedResource | undefined,
    operationId: string,
    now: number,
  ): Observation {
    const target = step.method ? RESOURCE_METHOD_STATES[step.method].done : undefined;
    const ours = resource?.operationId === operationId;
    if (ours && resource?.state === target) return { kind: 'succeeded' };
    if (ours && resource?.state === 'FAILED') {
      return {
        kind: 'failed',
        error: resource.lastError ?? 'the microservice reported a failure without a message',
      };
    }
    if (step.acceptedAt !== undefined && now - step.acceptedAt >= step.timeoutMs) {
      return {
        kind: 'timed-out',
        error: `timed out: the resource did not reach ${target} within ${Math.round(step.timeoutMs / 1000)} s`,
      };
    }
    return { kind: 'waiting' };
  }

  /** Nothing is running and nothing more can start. */
  isFinished(): boolean {
    return [...this.steps.values()].every(
      (step) => step.status === 'succeeded' || step.status === 'failed' || step.status === 'blocked',
    );
  }

  allSucceeded(): boolean {
    return [...this.steps.values()].every((step) => step.status === 'succeeded');
  }

  /** One line naming each root cause, for the data product's lastError. */
  summary(): string | null {
    const failed = [...this.steps.values()].filter((step) => step.status === 'failed');
    const blocked = [...this.steps.values()].filter((step) => step.status === 'blocked');
    if (failed.length === 0 && blocked.length === 0) return null;
    const parts = [
      ...failed.map((step) => `${step.name} failed: ${step.error}`),
      ...blocked.map((step) => `${step.name} not attempted: it depends on ${step.blockedBy}`),
    ];
    return parts.join('; ');
  }

  private pending(): StepProgress[] {
    return [...this.steps.values()].filter((step) => step.status === 'pending');
  }

  private update(name: string, changes: Partial<StepProgress>): void {
    const step = this.steps.get(name);
    if (step) Object.assign(step, changes);
  }
}
