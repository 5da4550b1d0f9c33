import type { Logger } from '../../shared/logging/logger.js';
import type { DataProductStateDocument } from '../../shared/state/records.js';
import type { StateClient } from '../../shared/state/state-client.js';
import type { Discovery } from '../discovery/discovery.js';
import { OperationProgress } from '../domain/operation-progress.js';
import { finalState } from '../domain/plan-operation.js';
import { DependencyInfo } from './dependency-info.js';
import { type HeldLease, holdLease } from './lease-holder.js';
import type { MicroserviceClient } from './microservice-client.js';
import type { Operation } from './operation.js';
import { PollSchedule, type PollTiming } from './poll-schedule.js';
import type { ProvisionerMetrics } from './provisioner-metrics.js';
import { type DispatchRun, ResourceDispatcher } from './resource-dispatcher.js';
import { StateWatch } from './state-watch.js';

export type { Operation } from './operation.js';

export interface RunnerOptions extends PollTiming {
  /** Most resources dispatched and not yet settled at once, per operation; 0 or absent: no limit. */
  maxParallelDispatch?: number;
  /** Who this provisioner is, as the owner of leases. */
  instanceId: string;
  /** How long a lease lasts without renewal; an operation whose lease lapses is resumed elsewhere. */
  leaseMs: number;
  /** A transit resource without a heartbeat for this long is dispatched again. */
  staleAfterMs: number;
}

/**
 * Drives operations to their end, each holding its lease (lease-holder.ts):
 * dispatches every resource as soon as all it waits for has succeeded
 * (resource-dispatcher.ts), follows the state service (state-watch.ts, on the
 * pauses of poll-schedule.ts), and records the data product's final state with
 * the root cause of every resource that did not make it. A resumed operation
 * continues from what the state service says.
 */
export class OperationRunner {
  private readonly running = new Map<string, Promise<void>>();
  private readonly dependencies: DependencyInfo;
  private readonly dispatcher: ResourceDispatcher;
  private stopped = false;
  /** Aborts the long-polls in progress when stopping. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly state: StateClient,
    discovery: Discovery,
    microservices: MicroserviceClient,
    private readonly options: RunnerOptions,
    private readonly logger: Logger,
    private readonly metrics?: ProvisionerMetrics,
    private readonly clock: () => number = Date.now,
  ) {
    this.dependencies = new DependencyInfo(state);
    this.dispatcher = new ResourceDispatcher(
      state,
      discovery,
      microservices,
      this.dependencies,
      logger,
      clock,
    );
  }

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
    const leaseOptions = { owner: this.options.instanceId, leaseMs: this.options.leaseMs };
    const lease = await holdLease(this.state, operation, leaseOptions, this.stopping.signal, log);
    if (!lease) return;
    // A long-poll still pending when the run ends is of no use to anyone.
    const ended = new AbortController();
    try {
      const progress = new OperationProgress(operation.steps, {
        timeoutFor: (name) => this.dispatcher.timeoutOf(operation, name),
        staleAfterMs: this.options.staleAfterMs,
      });
      if (resumeFrom) {
        this.dependencies.remember(operation, resumeFrom);
        for (const record of resumeFrom.resources)
          progress.restore(record.name, record, operationId, this.clock());
        log.info({ resumedBy: this.options.instanceId }, 'operation resumed');
      } else {
        log.info({ kind: operation.kind, steps: operation.steps.length }, 'operation started');
      }
      const run: DispatchRun = {
        operation,
        progress,
        log,
        interrupted: AbortSignal.any([lease.interrupted, ended.signal]),
      };
      const watch = new StateWatch(run, {
        state: this.state,
        dispatcher: this.dispatcher,
        dependencies: this.dependencies,
        metrics: this.metrics,
        clock: this.clock,
        staleAfterMs: this.options.staleAfterMs,
      });
      const finished = await this.drive(run, watch, lease).finally(() => ended.abort());
      if (!finished) return;
      const state = finalState(operation.kind, progress.allSucceeded());
      const dispatched = [...progress.steps.values()].filter((step) => step.acceptedAt !== undefined).length;
      this.metrics?.operationFinished(operation.kind, state, watch.polls, dispatched);
      await this.state.writeDataProduct({
        ...ref,
        state,
        operationId,
        lastError: progress.summary(),
        rootCauses: progress.rootCauses(),
      });
      log.info({ state }, 'operation finished');
    } finally {
      await lease.release();
    }
  }

  /** Dispatch what is ready, then act on the next event; false when the run stopped before the end. */
  private async drive(run: DispatchRun, watch: StateWatch, lease: HeldLease): Promise<boolean> {
    const { progress, log } = run;
    const schedule = new PollSchedule(this.options, this.clock);
    for (;;) {
      if (this.stopped || lease.lost()) {
        log.warn({ lostLease: lease.lost() }, 'operation run interrupted; it will be resumed');
        return false;
      }
      for (const step of progress.takeReady(this.options.maxParallelDispatch)) {
        this.dispatcher.start(run, step, schedule.wake);
      }
      if (progress.isFinished()) return true;
      const event = await schedule.next(progress.inFlight().length > 0, () => watch.poll(schedule.wake));
      switch (event) {
        case 'dispatch-settled':
          // The step it put in flight may have finished in a document already read.
          watch.settleFromLast();
          if (!watch.hasVersion()) schedule.soon();
          break;
        case 'poll-answered':
        case 'idle':
          break;
      }
    }
  }
}
