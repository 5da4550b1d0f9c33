import type {
  DataProductDescriptor,
  DataProductRef,
  ResourceDescriptor,
} from '../../shared/descriptor/types.js';
import { ConflictError, describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import { isTransit } from '../../shared/state/lifecycle.js';
import type { DataProductStateDocument, OperationStep } from '../../shared/state/records.js';
import type { StateClient } from '../../shared/state/state-client.js';
import type { Discovery } from '../discovery/discovery.js';
import { OperationProgress, type StepProgress } from '../domain/operation-progress.js';
import { finalState, type OperationKind } from '../domain/plan-operation.js';
import type { MicroserviceClient } from './microservice-client.js';
import type { ProvisionerMetrics } from './provisioner-metrics.js';

/** Longest a long-poll of the state service is held: other replicas' writes and lease loss are seen within it. */
const LONG_POLL_MAX_MS = 5_000;

export interface RunnerOptions {
  /**
   * First state check after a dispatch, and the pause between long-polls (to gather a burst of writes
   * into one answer); while plain checks find nothing, the pause doubles up to maxDelayMs.
   */
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

/** What the polls of one run know of the state service's view between requests. */
interface PollView {
  /** `historySeq` of the last document read: a long-poll waits past it. */
  seen?: number;
  /** The last document read, for the steps accepted since (their outcome may already be in it). */
  last?: DataProductStateDocument;
  /** Last sign of life (ms) of each in-flight resource, for the stale deadline a long-poll must not wait past. */
  lastSigns: Map<string, number>;
}

/**
 * Drives one operation to its end, holding its lease: dispatches every
 * resource as soon as all it waits for has succeeded, polls the state service
 * (one request per poll for the whole data product: a long-poll that answers
 * when the data product changes, or with backoff before the first), dispatches
 * again what a dead worker left, honours cancellation, and records the data
 * product's final state with the root cause of every resource that did not
 * make it. A resumed operation continues from what the state service says.
 */
export class OperationRunner {
  private readonly running = new Map<string, Promise<void>>();
  /** The last `info` seen of each resource of a running operation, handed to the resources that depend on it. */
  private readonly infoSeen = new WeakMap<Operation, Map<string, Record<string, unknown>>>();
  private stopped = false;
  /** Aborts the long-polls in progress when stopping. */
  private readonly stopping = new AbortController();

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
    this.stopping.abort();
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
    lease: { lost: () => boolean; interrupted: AbortSignal },
    log: Logger,
    counters: { polls: number },
  ): Promise<boolean> {
    let wake = signal();
    let delay = this.options.initialDelayMs;
    let nextPollAt = this.clock() + delay;
    const view: PollView = { lastSigns: new Map() };
    let polling: Promise<'changed' | 'watched' | 'unchanged'> | undefined;
    // A long-poll still pending when the run ends is of no use to anyone.
    const ended = new AbortController();
    const interrupted = AbortSignal.any([lease.interrupted, ended.signal]);
    try {
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

        if (!polling) {
          const timer = sleep(Math.max(0, nextPollAt - this.clock()));
          const reason = await Promise.race([wake.promise.then(() => 'dispatched' as const), timer.promise]);
          timer.cancel();
          if (reason === 'timer' && progress.inFlight().length === 0) {
            nextPollAt = this.clock() + delay;
            continue;
          }
          if (reason === 'timer') {
            // Not awaited alone: a dispatch settling meanwhile must still start what it unblocks.
            polling = this.pollOnce(operation, progress, view, interrupted, log, () => wake.fire(), counters);
          }
        }
        if (polling) {
          const answered = polling.then(() => 'answered' as const);
          if (
            (await Promise.race([wake.promise.then(() => 'dispatched' as const), answered])) === 'answered'
          ) {
            const poll = await polling;
            polling = undefined;
            // An answer that settled nothing (a timeout, or only writes of work starting) backs off the pause
            // before the next look; the long-poll then answers at once if anything landed meanwhile.
            delay =
              poll === 'changed' ? this.options.initialDelayMs : Math.min(delay * 2, this.options.maxDelayMs);
            nextPollAt = this.clock() + delay;
            continue;
          }
        }
        // A dispatch settled: start what it unblocked. The step it put in flight may have finished in a
        // document already read, which a long-poll past that document's version would not answer again.
        wake = signal();
        if (view.last) this.settleFrom(operation, progress, view.last);
        // Without a version to long-poll past, check on the new work soon; with one, the long-poll answers
        // when the work's outcome is written, and looking earlier would only find it starting.
        if (view.seen === undefined) {
          delay = this.options.initialDelayMs;
          nextPollAt = Math.min(nextPollAt, this.clock() + delay);
        }
      }
    } finally {
      ended.abort();
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

  /**
   * One GET of the data product state settles every in-flight resource it can:
   * 'changed' when a step settled, 'watched' when a long-poll answered without
   * settling any, 'unchanged' when a plain read (or a failed one) did not.
   * Once a version was seen, the GET is a long-poll past that version.
   */
  private async pollOnce(
    operation: Operation,
    progress: OperationProgress,
    view: PollView,
    interrupted: AbortSignal,
    log: Logger,
    wake: () => void,
    counters: { polls: number },
  ): Promise<'changed' | 'watched' | 'unchanged'> {
    let document: DataProductStateDocument | undefined;
    this.metrics?.statePolled();
    counters.polls += 1;
    const watch =
      view.seen !== undefined
        ? { changedAfter: view.seen, waitMs: this.longPollMs(progress, view), signal: interrupted }
        : undefined;
    try {
      document = await this.state.getDataProduct(operation.ref, watch);
    } catch (error) {
      if (!interrupted.aborted) log.warn({ err: error }, 'state service poll failed; will poll again');
      return 'unchanged';
    }
    if (document?.operation?.cancelRequested) progress.cancel();
    if (document) this.remember(operation, document);
    if (document?.historySeq !== undefined) view.seen = document.historySeq;
    if (document) view.last = document;
    const observed = new Map((document?.resources ?? []).map((record) => [record.name, record]));
    view.lastSigns.clear();
    for (const step of progress.inFlight()) {
      const record = observed.get(step.name);
      if (record?.operationId === operation.operationId && isTransit(record.state)) {
        view.lastSigns.set(
          step.name,
          Math.max(Date.parse(record.heartbeatAt ?? '') || 0, Date.parse(record.updatedAt) || 0),
        );
      }
    }
    let changed = false;
    for (const step of progress.inFlight()) {
      const observation = progress.observe(
        step,
        observed.get(step.name),
        operation.operationId,
        this.clock(),
      );
      switch (observation.kind) {
        case 'succeeded':
        case 'failed':
          this.settle(operation, progress, step, observation);
          changed = true;
          break;
        case 'timed-out':
          this.recordSettled(operation, step, observation.kind);
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
    return changed ? 'changed' : watch ? 'watched' : 'unchanged';
  }

  /**
   * Settles the in-flight steps that a document already read shows finished.
   * Timeouts and staleness are left to fresh reads.
   */
  private settleFrom(operation: Operation, progress: OperationProgress, document: DataProductStateDocument) {
    const observed = new Map(document.resources.map((record) => [record.name, record]));
    for (const step of progress.inFlight()) {
      const observation = progress.observe(
        step,
        observed.get(step.name),
        operation.operationId,
        this.clock(),
      );
      if (observation.kind === 'succeeded' || observation.kind === 'failed') {
        this.settle(operation, progress, step, observation);
      }
    }
  }

  /** A step the state shows finished: recorded in the progress and in the metrics, however it was seen. */
  private settle(
    operation: Operation,
    progress: OperationProgress,
    step: StepProgress,
    observation: { kind: 'succeeded' } | { kind: 'failed'; error: string },
  ): void {
    this.recordSettled(operation, step, observation.kind);
    if (observation.kind === 'succeeded') progress.succeeded(step.name);
    else progress.failed(step.name, observation.error);
  }

  private recordSettled(
    operation: Operation,
    step: StepProgress,
    outcome: 'succeeded' | 'failed' | 'timed-out',
  ): void {
    const technology = operation.resources.get(step.name)?.technology ?? 'unknown';
    const seconds = (this.clock() - (step.acceptedAt ?? this.clock())) / 1000;
    this.metrics?.resourceSettled(technology, outcome, seconds);
  }

  /** How long a long-poll may wait: never past an in-flight step's timeout or stale deadline. */
  private longPollMs(progress: OperationProgress, view: PollView): number {
    const now = this.clock();
    let until = now + LONG_POLL_MAX_MS;
    for (const step of progress.inFlight()) {
      if (step.acceptedAt !== undefined) until = Math.min(until, step.acceptedAt + step.timeoutMs);
      const sign = view.lastSigns.get(step.name);
      if (sign !== undefined) until = Math.min(until, sign + this.options.staleAfterMs);
    }
    return Math.max(0, Math.ceil(until - now));
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
    // A resource without info is remembered too: a dependency with nothing to tell must not cost a read per dependent.
    for (const record of document.resources) seen.set(record.name, record.info ?? {});
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
    const lostLease = new AbortController();
    const renew = () => {
      this.state.lease(operation.ref, 'renew', lease).catch((error) => {
        if (error instanceof ConflictError) {
          lost = true;
          lostLease.abort();
        }
        log.warn({ err: error }, 'lease renewal failed');
      });
    };
    const timer = setInterval(renew, Math.max(50, Math.floor(this.options.leaseMs / 3)));
    timer.unref();
    return {
      lost: () => lost,
      /** Aborted on stop or lease loss: a long-poll in progress must not hold the run. */
      interrupted: AbortSignal.any([this.stopping.signal, lostLease.signal]),
      stop: () => clearInterval(timer),
    };
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
