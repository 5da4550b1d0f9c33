import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type { StateClient } from '../../shared/state/state-client.js';
import type { Discovery } from '../discovery/discovery.js';
import type { OperationProgress, StepProgress } from '../domain/operation-progress.js';
import type { DependencyInfo } from './dependency-info.js';
import type { MicroserviceClient } from './microservice-client.js';
import type { Operation } from './operation.js';

/** One run of an operation, as the dispatcher needs it. */
export interface DispatchRun {
  operation: Operation;
  progress: OperationProgress;
  log: Logger;
  /** Aborted when the run stops (shutdown, lost lease): a dispatch still waiting gives up. */
  interrupted: AbortSignal;
}

/**
 * Sends a step's resource to the microservice of its technology (found through
 * discovery) and records what the microservice could not record itself: that
 * it refused the call, could not be reached, or is not registered at all.
 */
export class ResourceDispatcher {
  constructor(
    private readonly state: StateClient,
    private readonly discovery: Discovery,
    private readonly microservices: MicroserviceClient,
    private readonly dependencies: DependencyInfo,
    private readonly logger: Logger,
    private readonly clock: () => number,
  ) {}

  /** Steps of each operation waiting for an unreachable microservice, and the note writes in order. */
  private readonly waiting = new WeakMap<Operation, { steps: Set<string>; notes: Promise<void> }>();

  /** Dispatches in the background; `settled` runs once the call is answered (or failed), whatever happened. */
  start(run: DispatchRun, step: StepProgress, settled: () => void): void {
    this.dispatch(run, step)
      .catch((error) => run.log.error({ err: error, resource: step.name }, 'dispatch crashed'))
      .finally(settled);
  }

  private async dispatch(run: DispatchRun, step: StepProgress) {
    const { operation, progress, log } = run;
    const { ref, operationId } = operation;
    const resource = operation.resources.get(step.name);
    if (!resource || !step.method) return;
    const endpoint = this.discovery.endpointFor(ref.environment, resource.technology, resource.kind);
    if (!endpoint) {
      await this.fail(run, step, `technology ${resource.technology} is not registered in discovery`);
      return;
    }
    const request: ResourceRequest = {
      operationId,
      dataProduct: ref,
      descriptor: operation.descriptor,
      resource,
      removeData: operation.removeData,
      attempt: step.attempt,
      dependencies: await this.dependencies.of(operation, resource),
    };
    const result = await this.microservices.dispatch(step.method, endpoint.url, request, {
      // A re-dispatch keeps the deadline of the first acceptance: waiting never extends a resource's timeout.
      deadline: (step.acceptedAt ?? this.clock()) + step.timeoutMs,
      signal: run.interrupted,
      onWaiting: (reason) => this.noteWaiting(run, step, `${resource.technology} microservice: ${reason}`),
    });
    if (result.kind === 'interrupted') return;
    this.noteDone(run, step);
    if (result.kind === 'accepted' || result.kind === 'conflict') {
      // On 409 the resource is already in transit, perhaps under this very operation (a retried call): polling tells.
      progress.accepted(step.name, this.clock());
      return;
    }
    log.warn({ resource: step.name, error: result.error }, 'dispatch failed');
    await this.fail(run, step, `${resource.technology} microservice: ${result.error}`);
  }

  /**
   * Says in the data product's state (its lastError while in transit) that a
   * resource waits for its microservice: once per wait, not per attempt.
   */
  private noteWaiting(run: DispatchRun, step: StepProgress, reason: string): void {
    const waiting = this.waitingOf(run.operation);
    if (waiting.steps.has(step.name)) return;
    waiting.steps.add(step.name);
    this.writeNote(run, `resource ${step.name} is waiting for the ${reason}`);
  }

  /** Clears the note once no step of the operation waits any more. */
  private noteDone(run: DispatchRun, step: StepProgress): void {
    const waiting = this.waitingOf(run.operation);
    if (waiting.steps.delete(step.name) && waiting.steps.size === 0) this.writeNote(run, null);
  }

  private waitingOf(operation: Operation) {
    let waiting = this.waiting.get(operation);
    if (!waiting) {
      waiting = { steps: new Set(), notes: Promise.resolve() };
      this.waiting.set(operation, waiting);
    }
    return waiting;
  }

  /** Note writes of one operation land in the order they were made, so a cleared note never comes back. */
  private writeNote(run: DispatchRun, note: string | null): void {
    const { operation, log } = run;
    const waiting = this.waitingOf(operation);
    waiting.notes = waiting.notes.then(() =>
      this.state
        .writeDataProduct({
          ...operation.ref,
          state: operation.transit,
          operationId: operation.operationId,
          lastError: note,
        })
        .then(
          () => undefined,
          (error) => log.warn({ err: error }, 'could not note the wait in the state'),
        ),
    );
  }

  /** Records a failure the microservice could not record itself (refused, unreachable, timed out). */
  async fail(run: DispatchRun, step: StepProgress, error: string) {
    const { operation, progress } = run;
    const resource = operation.resources.get(step.name);
    try {
      await this.state.writeResource({
        environment: operation.ref.environment,
        domain: operation.ref.domain,
        dataProduct: operation.ref.name,
        version: operation.ref.version,
        name: step.name,
        kind: resource?.kind,
        technology: resource?.technology,
        state: 'FAILED',
        operationId: operation.operationId,
        attempt: step.attempt,
        lastError: error,
      });
    } catch (writeError) {
      this.logger.warn(
        { err: writeError, operationId: operation.operationId, resource: step.name },
        `could not record the failure: ${describeError(writeError)}`,
      );
    }
    // Only now may the operation see this step as settled: finishing earlier would close the data product
    // before the failure is recorded, and fencing would then refuse the record.
    progress.failed(step.name, error);
  }

  /** How long a resource of the operation may stay in transit: its technology's timeout in discovery. */
  timeoutOf(operation: Operation, name: string): number {
    const resource = operation.resources.get(name);
    if (!resource) return 0;
    return (
      this.discovery.endpointFor(operation.ref.environment, resource.technology, resource.kind)?.timeoutMs ??
      0
    );
  }
}
