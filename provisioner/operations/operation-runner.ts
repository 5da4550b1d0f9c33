import type { DataProductDescriptor, DataProductRef } from '../../shared/descriptor/types.js';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type { StateClient } from '../../shared/state/state-client.js';
import type { Discovery } from '../discovery/discovery.js';
import { OperationProgress, type StepProgress } from '../domain/operation-progress.js';
import { finalState, type OperationPlan } from '../domain/plan-operation.js';
import type { MicroserviceClient } from './microservice-client.js';

export interface PollingOptions {
  /** First state check after a dispatch; doubles while nothing changes. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface Operation {
  operationId: string;
  ref: DataProductRef;
  descriptor: DataProductDescriptor;
  plan: OperationPlan;
  removeData: boolean;
}

/**
 * Drives one operation to its end: dispatches every resource as soon as all
 * it waits for has succeeded, polls the state service (one request per poll
 * for the whole data product, with backoff) until each settles or times out,
 * and records the data product's final state.
 */
export class OperationRunner {
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly state: StateClient,
    private readonly discovery: Discovery,
    private readonly microservices: MicroserviceClient,
    private readonly polling: PollingOptions,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts the operation in the background. */
  start(operation: Operation): void {
    const task = this.run(operation).catch((error) => {
      this.logger.error({ err: error, operationId: operation.operationId }, 'operation crashed');
    });
    this.running.add(task);
    task.finally(() => this.running.delete(task));
  }

  /** Resolves once no operation is running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /**
   * Stops every running operation at its next step, leaving its state as a
   * crash would: shutting down must not wait for resources that take minutes.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  async run(operation: Operation): Promise<void> {
    const { operationId, ref, plan } = operation;
    const log = this.logger.child({ operationId, dataProduct: ref });
    const progress = new OperationProgress(
      plan,
      (technology) => this.discovery.endpointFor(ref.environment, technology)?.timeoutMs ?? 0,
    );
    let wake = signal();
    let delay = this.polling.initialDelayMs;
    let nextPollAt = this.clock() + delay;
    log.info({ kind: plan.kind, steps: plan.steps.length }, 'operation started');

    for (;;) {
      if (this.stopped) {
        log.warn('operation interrupted by shutdown');
        return;
      }
      for (const step of progress.takeReady()) {
        this.dispatch(operation, step, progress)
          .catch((error) => log.error({ err: error, resource: step.name }, 'dispatch crashed'))
          .finally(() => wake.fire());
      }
      if (progress.isFinished()) break;

      const timer = sleep(Math.max(0, nextPollAt - this.clock()));
      const reason = await Promise.race([wake.promise.then(() => 'dispatched' as const), timer.promise]);
      timer.cancel();
      if (reason === 'dispatched') {
        // A dispatch settled: start what it unblocked, and check on it soon.
        wake = signal();
        delay = this.polling.initialDelayMs;
        nextPollAt = Math.min(nextPollAt, this.clock() + delay);
        continue;
      }
      if (progress.inFlight().length > 0) {
        const changed = await this.pollOnce(operation, progress, log);
        delay = changed ? this.polling.initialDelayMs : Math.min(delay * 2, this.polling.maxDelayMs);
      }
      nextPollAt = this.clock() + delay;
    }

    const state = finalState(plan.kind, progress.allSucceeded());
    await this.state.writeDataProduct({ ...ref, state, operationId, lastError: progress.summary() });
    log.info({ state }, 'operation finished');
  }

  private async dispatch(
    operation: Operation,
    step: StepProgress,
    progress: OperationProgress,
  ): Promise<void> {
    const { ref, operationId } = operation;
    const resource = operation.plan.steps.find((planned) => planned.resource.name === step.name)?.resource;
    const endpoint = resource && this.discovery.endpointFor(ref.environment, resource.technology);
    if (!resource || !step.method) return;
    if (!endpoint) {
      await this.fail(
        operation,
        step,
        progress,
        `technology ${resource.technology} is not registered in discovery`,
      );
      return;
    }
    const request: ResourceRequest = {
      operationId,
      dataProduct: ref,
      descriptor: operation.descriptor,
      resource,
      removeData: operation.removeData,
    };
    const result = await this.microservices.dispatch(step.method, endpoint.url, request);
    if (result.kind === 'accepted' || result.kind === 'conflict') {
      // On 409 the resource is already in transit, perhaps under this very operation (a retried call): polling tells.
      progress.accepted(step.name, this.clock());
      return;
    }
    await this.fail(operation, step, progress, `${resource.technology} microservice: ${result.error}`);
  }

  /** One GET of the data product state settles every in-flight resource it can. */
  private async pollOnce(operation: Operation, progress: OperationProgress, log: Logger): Promise<boolean> {
    let document: Awaited<ReturnType<StateClient['getDataProduct']>>;
    try {
      document = await this.state.getDataProduct(operation.ref);
    } catch (error) {
      log.warn({ err: error }, 'state service poll failed; will poll again');
      return false;
    }
    const observed = new Map((document?.resources ?? []).map((record) => [record.name, record]));
    let changed = false;
    for (const step of progress.inFlight()) {
      const observation = progress.observe(
        step,
        observed.get(step.name),
        operation.operationId,
        this.clock(),
      );
      if (observation.kind === 'succeeded') {
        progress.succeeded(step.name);
        changed = true;
      } else if (observation.kind === 'failed') {
        progress.failed(step.name, observation.error);
        changed = true;
      } else if (observation.kind === 'timed-out') {
        await this.fail(operation, step, progress, observation.error);
        changed = true;
      }
    }
    return changed;
  }

  /** Records a failure the microservice could not record itself (refused, unreachable, timed out). */
  private async fail(operation: Operation, step: StepProgress, progress: OperationProgress, error: string) {
    const resource = operation.plan.steps.find((planned) => planned.resource.name === step.name)?.resource;
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
}

function sleep(ms: number): { promise: Promise<'timer'>; cancel: () => void } {
  let timeout: NodeJS.Timeout | undefined;
  const promise = new Promise<'timer'>((resolve) => {
    timeout = setTimeout(() => resolve('timer'), ms);
  });
  return { promise, cancel: () => clearTimeout(timeout) };
}

function signal(): { promise: Promise<void>; fire: () => void } {
  let fire: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
}
