import type { ResourceMethod, ResourceState } from '../../shared/state/lifecycle.js';
import { isTransit, RESOURCE_METHOD_STATES } from '../../shared/state/lifecycle.js';
import type { OperationStep, RootCause } from '../../shared/state/records.js';

export type StepStatus =
  | 'pending'
  | 'dispatching'
  | 'in-flight'
  | 'succeeded'
  | 'failed'
  | 'blocked'
  | 'cancelled';

export interface StepProgress {
  name: string;
  method: ResourceMethod | null;
  waitsFor: string[];
  status: StepStatus;
  /** Current dispatch attempt; a re-dispatch after a dead worker increments it. */
  attempt: number;
  /** When the microservice first accepted the call (ms since epoch), for the timeout. */
  acceptedAt?: number;
  timeoutMs: number;
  error?: string;
  /** The step whose failure (or block) stopped this one. */
  blockedBy?: string;
  /** Why a step was blocked from the start. */
  reason?: string;
}

/** What the state service says of a resource, as far as progress needs it. */
export interface ObservedResource {
  state: ResourceState;
  operationId: string | null;
  attempt: number;
  lastError: string | null;
  updatedAt: string;
  heartbeatAt: string | null;
}

export type Observation =
  | { kind: 'waiting' }
  | { kind: 'succeeded' }
  | { kind: 'failed'; error: string }
  | { kind: 'timed-out'; error: string }
  /** The worker stopped signalling: dispatch again under a new attempt. */
  | { kind: 'stale'; attempt: number };

export interface ProgressOptions {
  timeoutFor: (name: string) => number;
  /** A transit resource without a sign of life for this long is dispatched again. */
  staleAfterMs: number;
}

/**
 * Pure bookkeeping of a running operation. The runner asks which steps are
 * ready, records what happened, and stops when nothing can move any more.
 */
export class OperationProgress {
  readonly steps: Map<string, StepProgress>;

  constructor(
    steps: readonly OperationStep[],
    private readonly options: ProgressOptions,
  ) {
    const names = new Set(steps.map((step) => step.name));
    this.steps = new Map(
      steps.map((step) => [
        step.name,
        {
          name: step.name,
          method: step.method,
          waitsFor: step.waitsFor.filter((name) => names.has(name)),
          status: step.action === 'blocked' ? 'blocked' : step.method === null ? 'succeeded' : 'pending',
          attempt: 1,
          timeoutMs: options.timeoutFor(step.name),
          ...(step.reason ? { reason: step.reason } : {}),
        },
      ]),
    );
  }

  /**
   * Resuming after a crash: what the state service says of each resource under
   * this operation tells how far its step got.
   */
  restore(name: string, resource: ObservedResource | undefined, operationId: string, now: number): void {
    const step = this.steps.get(name);
    if (step?.status !== 'pending' || !step.method || resource?.operationId !== operationId) return;
    step.attempt = Math.max(1, resource.attempt);
    if (resource.state === RESOURCE_METHOD_STATES[step.method].done) step.status = 'succeeded';
    else if (resource.state === 'FAILED') {
      step.status = 'failed';
      step.error = resource.lastError ?? 'failed without an error message';
    } else if (isTransit(resource.state)) {
      step.status = 'in-flight';
      step.acceptedAt = Math.min(now, Date.parse(resource.updatedAt) || now);
    }
  }

  /**
   * Marks pending steps behind a failure as blocked (transitively), and returns
   * those now free to start: at most `maxInFlight` steps dispatching or in
   * flight at once (0: no limit), the rest wait for a slot.
   */
  takeReady(maxInFlight = 0): StepProgress[] {
    let changed = true;
    while (changed) {
      changed = false;
      for (const step of this.withStatus('pending')) {
        const stopper = step.waitsFor.find((name) => {
          const status = this.steps.get(name)?.status;
          return status === 'failed' || status === 'blocked' || status === 'cancelled';
        });
        if (stopper) {
          step.status = 'blocked';
          step.blockedBy = stopper;
          changed = true;
        }
      }
    }
    const free = this.withStatus('pending').filter((step) =>
      step.waitsFor.every((name) => this.steps.get(name)?.status === 'succeeded'),
    );
    const busy = this.withStatus('dispatching').length + this.inFlight().length;
    const ready = maxInFlight > 0 ? free.slice(0, Math.max(0, maxInFlight - busy)) : free;
    for (const step of ready) step.status = 'dispatching';
    return ready;
  }

  /** Stops everything that has not started; what is in flight settles on its own. */
  cancel(): void {
    for (const step of this.withStatus('pending')) step.status = 'cancelled';
  }

  accepted(name: string, now: number): void {
    const step = this.steps.get(name);
    if (step) Object.assign(step, { status: 'in-flight', acceptedAt: step.acceptedAt ?? now });
  }

  redispatching(name: string, attempt: number): void {
    const step = this.steps.get(name);
    if (step) Object.assign(step, { status: 'dispatching', attempt });
  }

  failed(name: string, error: string): void {
    const step = this.steps.get(name);
    if (step) Object.assign(step, { status: 'failed', error });
  }

  succeeded(name: string): void {
    const step = this.steps.get(name);
    if (step) step.status = 'succeeded';
  }

  inFlight(): StepProgress[] {
    return this.withStatus('in-flight');
  }

  /**
   * Judges an in-flight step against the state service's view of its resource.
   * `seenSince` is when the caller's view of the state became continuous (it
   * started, or the state service came back): a worker is not judged dead for
   * signs of life the caller could not have seen, so an outage of the state
   * service shorter than the stale period redoes nothing.
   */
  observe(
    step: StepProgress,
    resource: ObservedResource | undefined,
    operationId: string,
    now: number,
    seenSince = 0,
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
    if (ours && resource && isTransit(resource.state) && resource.attempt <= step.attempt) {
      const lastSign = Math.max(
        Date.parse(resource.heartbeatAt ?? '') || 0,
        Date.parse(resource.updatedAt) || 0,
        seenSince,
      );
      if (now - lastSign >= this.options.staleAfterMs) return { kind: 'stale', attempt: step.attempt + 1 };
    }
    return { kind: 'waiting' };
  }

  /** Nothing is running and nothing more can start. */
  isFinished(): boolean {
    return [...this.steps.values()].every((step) =>
      ['succeeded', 'failed', 'blocked', 'cancelled'].includes(step.status),
    );
  }

  allSucceeded(): boolean {
    return [...this.steps.values()].every((step) => step.status === 'succeeded');
  }

  /** Per resource that did not succeed, its own error or what stopped it. */
  rootCauses(): RootCause[] {
    const causes: RootCause[] = [];
    for (const step of this.steps.values()) {
      if (step.status === 'failed') causes.push({ resource: step.name, error: step.error ?? 'failed' });
      else if (step.status === 'blocked' && step.blockedBy)
        causes.push({ resource: step.name, blockedBy: step.blockedBy });
      else if (step.status === 'blocked')
        causes.push({ resource: step.name, error: `blocked: ${step.reason ?? 'unknown reason'}` });
      else if (step.status === 'cancelled')
        causes.push({ resource: step.name, error: 'not attempted: the operation was cancelled' });
    }
    return causes;
  }

  /** One line naming each root cause, for the data product's lastError. */
  summary(): string | null {
    const causes = this.rootCauses();
    return causes.length === 0 ? null : causes.map(describeCause).join('; ');
  }

  private withStatus(status: StepStatus): StepProgress[] {
    return [...this.steps.values()].filter((step) => step.status === status);
  }
}

function describeCause({ resource, error, blockedBy }: RootCause): string {
  if (blockedBy) return `${resource} not attempted: it depends on ${blockedBy}`;
  const message = error ?? 'failed';
  return message.startsWith('not attempted') || message.startsWith('blocked')
    ? `${resource} ${message}`
    : `${resource} failed: ${message}`;
}
