import type {
  DataProductDescriptor,
  DataProductRef,
  ResourceDescriptor,
} from '../../shared/descriptor/types.js';
import { ConflictError, describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type { DataProductStateDocument, OperationStep } from '../../shared/state/records.js';
import type { StateClient } from '../../shared/state/state-client.js';
import type { Discovery } from '../discovery/discovery.js';
import { OperationProgress, type StepProgress } from '../domain/operation-progress.js';
import { finalState, type OperationKind } from '../domain/plan-operation.js';
import type { MicroserviceClient } from './microservice-client.js';
import type { ProvisionerMetrics } from './provisioner-metrics.js';

export interface RunnerOptions {
  /** First state check after a dispatch; doubles while nothing changes, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Most resources dispatched and not yet settled at once, per operation; 0 or absent: no limit. */
  maxParallelDispatch?: number;
  /** Who this provisioner is, as the owner of leases. */
  instanceId: string;
  /** How long a lease lasts without renewal; an operation whose lease lapses is resumed elsewhere. */
  leaseMs: number;
  /** A transit resource without a heartbeat for this long is dispatched again. */
  staleAfterMs: number;
}

export interface Operation {
  operationId: string;
  ref: DataProductRef;
  kind: OperationKind;
  descriptor: DataProductDescriptor;
  removeData: boolean;
  steps: OperationStep[];
  resources: Map<string, ResourceDescriptor>;
}

/**
 * Drives one operation to its end, holding its lease: dispatches every
 * resource as soon as all it waits for has succeeded, polls the state service
 * (one request per poll for the whole data product, with backoff), dispatches
 * again what a dead worker left, honours cancellation, and records the data
 * product's final state with the root cause of every resource that did not
 * make it. A resumed operation continues from what the state service says.
 */
export class OperationRunner {
  private readonly running = new Map<string, Promise<void>>();
  /** The last `info` seen of each resource of a running operation, handed to the resources that depend on it. */
  private readonly infoSeen = new WeakMap<Operation, Map<string, Record<string, unknown>>>();
  private stopped = false;

  constructor(
    private readonly state: StateClient,
    private readonly discovery: Discovery,
    private readonly microservices: MicroserviceClient,
    private readonly options: RunnerOptions,
    private readonly logger: Logger,
    private readonly metrics?: ProvisionerMetrics,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts the operation in the background, unless this instance already runs it. */
  start(operation: Operation, resumeFrom?: DataProductStateDocument): void {
    if (this.stopped || this.running.has(operation.operationId)) return;
    const task = this.run(operation, resumeFrom)
      .catch((error) => {
        this.logger.error({ err: error, operationId: operation.operationId }, 'operation crashed');
      })
      .finally(() => this.running.delete(operation.operationId));
    this.running.set(operation.operationId, task);
  }

  isRunning(operationId: string): boolean {
    return this.running.has(operationId);
  }

  /** Resolves once no operation is running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Stops every running operation at its next step, leaving its state and
   * lease as a crash would: shutting down must not wait for resources that
   * take minutes, and another instance (or this one, restarted) resumes them.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  async run(operation: Operation, resumeFrom?: DataProductStateDocument): Promise<void> {
    const { operationId, ref } = operation;
    const log = this.logger.child({ operationId, dataProduct: ref });
    const lease = await this.holdLease(operation, log);
    if (!lease) return;
    try {
      const progress = new OperationProgress(operation.steps, {
        timeoutFor: (name) => this.timeoutOf(operation, name),
        staleAfterMs: this.options.staleAfterMs,
      });
      if (resumeFrom) {
        this.remember(operation, resumeFrom);
        for (const record of resumeFrom.resources)
          progress.restore(record.name, record, operationId, this.clock());
        log.info({ resumedBy: this.options.instanceId }, 'operation resumed');
      } else {
        log.info({ kind: operation.kind, steps: operation.steps.length }, 'operation started');
      }
      const counters = { polls: 0 };
      const finished = await this.drive(operation, progress, lease, log, counters);
      if (!finished) return;
      const state = finalState(operation.kind, progress.allSucceeded());
      const dispatched = [...progress.steps.values()].filter((step) => step.acceptedAt !== undefined).length;
      this.metrics?.operationFinished(operation.kind, state, counters.polls, dispatched);
      await this.state.writeDataProduct({
        ...ref,
        state,
        operationId,
        lastError: progress.summary(),
        rootCauses: progress.rootCauses(),
      });
      log.info({ state }, 'operation finished');
    } finally {
      lease.stop();
      if (!lease.lost()) {
        await this.state.lease(ref, 'release', { owner: this.options.instanceId }).catch(() => undefined);
      }
    }
  }

  /** The dispatch-and-poll loop; false when the run had to stop before the operation finished. */
  private async drive(
    operation: Operation,
    progress: OperationProgress,
    lease: { lost: () => boolean },
    log: Logger,
    counters: { polls: number },
  ): Promise<boolean> {
    let wake = signal();
    let delay = this.options.initialDelayMs;
    let nextPollAt = this.clock() + delay;
    for (;;) {
      if (this.stopped || lease.lost()) {
        log.warn({ lostLease: lease.lost() }, 'operation run interrupted; it will be resumed');
        return false;
      }
      for (const step of progress.takeReady(this.options.maxParallelDispatch)) {
        this.dispatch(operation, step, progress, log)
          .catch((error) => log.error({ err: error, resource: step.name }, 'dispatch crashed'))
          .finally(() => wake.fire());
      }
      if (progress.isFinished()) return true;

      const timer = sleep(Math.max(0, nextPollAt - this.clock()));
      const reason = await Promise.race([wake.promise.then(() => 'dispatched' as const), timer.promise]);
      timer.cancel();
      if (reason === 'dispatched') {
        // A dispatch settled: start what it unblocked, and check on it soon.
        wake = signal();
        delay = this.options.initialDelayMs;
        nextPollAt = Math.min(nextPollAt, this.clock() + delay);
        continue;
      }
      if (progress.inFlight().length > 0) {
        const changed = await this.pollOnce(operation, progress, log, () => wake.fire(), counters);
        delay = changed ? this.options.initialDelayMs : Math.min(delay * 2, this.options.maxDelayMs);
      }
      nextPollAt = this.clock() + delay;
    }
  }

  private async dispatch(operation: Operation, step: StepProgress, progress: OperationProgress, log: Logger) {
    const { ref, operationId } = operation;
    const resource = operation.resources.get(step.name);
    if (!resource || !step.method) return;
    const endpoint = this.discovery.endpointFor(ref.environment, resource.technology, resource.kind);
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
      attempt: step.attempt,
      dependencies: await this.dependenciesOf(operation, resource),
    };
    const result = await this.microservices.dispatch(step.method, endpoint.url, request);
    if (result.kind === 'accepted' || result.kind === 'conflict') {
      // On 409 the resource is already in transit, perhaps under this very operation (a retried call): polling tells.
      progress.accepted(step.name, this.clock());
      return;
    }
    log.warn({ resource: step.name, error: result.error }, 'dispatch failed');
    await this.fail(operation, step, progress, `${resource.technology} microservice: ${result.error}`);
  }

  /** One GET of the data product state settles every in-flight resource it can. */
  private async pollOnce(
    operation: Operation,
    progress: OperationProgress,
    log: Logger,
    wake: () => void,
    counters: { polls: number },
  ): Promise<boolean> {
    let document: DataProductStateDocument | undefined;
    this.metrics?.statePolled();
    counters.polls += 1;
    try {
      document = await this.state.getDataProduct(operation.ref);
    } catch (error) {
      log.warn({ err: error }, 'state service poll failed; will poll again');
      return false;
    }
    if (document?.operation?.cancelRequested) progress.cancel();
    if (document) this.remember(operation, document);
    const observed = new Map((document?.resources ?? []).map((record) => [record.name, record]));
    let changed = false;
    for (const step of progress.inFlight()) {
      const observation = progress.observe(
        step,
        observed.get(step.name),
        operation.operationId,
        this.clock(),
      );
      if (observation.kind !== 'waiting' && observation.kind !== 'stale') {
        const technology = operation.resources.get(step.name)?.technology ?? 'unknown';
        const seconds = (this.clock() - (step.acceptedAt ?? this.clock())) / 1000;
        this.metrics?.resourceSettled(technology, observation.kind, seconds);
      }
      switch (observation.kind) {
        case 'succeeded':
          progress.succeeded(step.name);
          changed = true;
          break;
        case 'failed':
          progress.failed(step.name, observation.error);
          changed = true;
          break;
        case 'timed-out':
          await this.fail(operation, step, progress, observation.error);
          changed = true;
          break;
        case 'stale':
          log.warn(
            { resource: step.name, attempt: observation.attempt },
            'no heartbeat from the microservice; dispatching again',
          );
          progress.redispatching(step.name, observation.attempt);
          this.dispatch(operation, step, progress, log)
            .catch((error) => log.error({ err: error, resource: step.name }, 'dispatch crashed'))
            .finally(wake);
          changed = true;
          break;
        case 'waiting':
          break;
      }
    }
    return changed;
  }

  /**
   * What a resource is told of those it depends on: their kind, technology and
   * info (a workload gets the s3:// URI of the folder it reads). Polls keep it
   * current; a dependency left unchanged by this operation costs one state read.
   */
  private async dependenciesOf(operation: Operation, resource: ResourceDescriptor) {
    if (resource.dependsOn.length === 0) return {};
    let seen = this.infoSeen.get(operation);
    if (!seen || resource.dependsOn.some((name) => !seen?.has(name))) {
      const document = await this.state.getDataProduct(operation.ref).catch(() => undefined);
      if (document) this.remember(operation, document);
      seen = this.infoSeen.get(operation);
    }
    const dependencies: NonNullable<ResourceRequest['dependencies']> = {};
    for (const name of resource.dependsOn) {
      const dependency = operation.resources.get(name);
      if (!dependency) continue;
      dependencies[name] = {
        kind: dependency.kind,
        technology: dependency.technology,
        info: seen?.get(name) ?? {},
      };
    }
    return dependencies;
  }

  private remember(operation: Operation, document: DataProductStateDocument) {
    const seen = this.infoSeen.get(operation) ?? new Map<string, Record<string, unknown>>();
    for (const record of document.resources) if (record.info) seen.set(record.name, record.info);
    this.infoSeen.set(operation, seen);
  }

  /** Records a failure the microservice could not record itself (refused, unreachable, timed out). */
  private async fail(operation: Operation, step: StepProgress, progress: OperationProgress, error: string) {
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

  /** Claims the operation's lease and keeps renewing it; undefined when another instance holds it. */
  private async holdLease(operation: Operation, log: Logger) {
    const owner = this.options.instanceId;
    const lease = { owner, operationId: operation.operationId, ttlMs: this.options.leaseMs };
    try {
      await this.state.lease(operation.ref, 'claim', lease);
    } catch (error) {
      if (error instanceof ConflictError) {
        log.info({ reason: error.message }, 'operation is run by another instance');
        return undefined;
      }
      throw error;
    }
    let lost = false;
    const renew = () => {
      this.state.lease(operation.ref, 'renew', lease).catch((error) => {
        if (error instanceof ConflictError) lost = true;
        log.warn({ err: error }, 'lease renewal failed');
      });
    };
    const timer = setInterval(renew, Math.max(50, Math.floor(this.options.leaseMs / 3)));
    timer.unref();
    return { lost: () => lost, stop: () => clearInterval(timer) };
  }

  private timeoutOf(operation: Operation, name: string): number {
    const resource = operation.resources.get(name);
    if (!resource) return 0;
    return (
      this.discovery.endpointFor(operation.ref.environment, resource.technology, resource.kind)?.timeoutMs ??
      0
    );
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
