import type { Logger } from '../../shared/logging/logger.js';
import { isTransit } from '../../shared/state/lifecycle.js';
import type { DataProductStateDocument } from '../../shared/state/records.js';
import type { StateClient } from '../../shared/state/state-client.js';
import type { OperationProgress, StepProgress } from '../domain/operation-progress.js';
import type { DependencyInfo } from './dependency-info.js';
import type { Operation } from './operation.js';
import type { ProvisionerMetrics } from './provisioner-metrics.js';
import type { DispatchRun, ResourceDispatcher } from './resource-dispatcher.js';

/** Longest a long-poll of the state service is held: other replicas' writes and lease loss are seen within it. */
const LONG_POLL_MAX_MS = 5_000;

/** What one poll did: settled a step, answered a long-poll without settling any, or found nothing. */
export type PollOutcome = 'changed' | 'watched' | 'unchanged';

export interface StateWatchDependencies {
  state: StateClient;
  dispatcher: ResourceDispatcher;
  dependencies: DependencyInfo;
  metrics?: ProvisionerMetrics;
  clock: () => number;
  /** A transit resource without a heartbeat for this long is dispatched again. */
  staleAfterMs: number;
}

/**
 * How one run of an operation follows the state service: one GET of the data
 * product per poll settles every in-flight resource it can (a long-poll past
 * the last version seen, once there is one), dispatches again what a dead
 * worker left, fails what timed out and honours cancellation.
 */
export class StateWatch {
  /** `historySeq` of the last document read: a long-poll waits past it. */
  private seen?: number;
  /** The last document read, for the steps accepted since (their outcome may already be in it). */
  private last?: DataProductStateDocument;
  /** Last sign of life (ms) of each in-flight resource, for the stale deadline a long-poll must not wait past. */
  private readonly lastSigns = new Map<string, number>();
  polls = 0;
  /** Since when this run has seen the state without a gap: signs of life are not missed before then. */
  private seenSince: number;
  /** The last read failed: the next that succeeds starts a new continuous view. */
  private blind = false;
  private readonly operation: Operation;
  private readonly progress: OperationProgress;
  private readonly interrupted: AbortSignal;
  private readonly log: Logger;

  constructor(
    private readonly run: DispatchRun,
    private readonly deps: StateWatchDependencies,
  ) {
    ({
      operation: this.operation,
      progress: this.progress,
      interrupted: this.interrupted,
      log: this.log,
    } = run);
    this.seenSince = deps.clock();
  }

  /** Whether a version was seen: then a long-poll answers when new work's outcome is written. */
  hasVersion(): boolean {
    return this.seen !== undefined;
  }

  /** Reads the state once (a long-poll once a version was seen) and acts on what it shows. */
  async poll(wake: () => void): Promise<PollOutcome> {
    const { operation, progress, deps } = this;
    deps.metrics?.statePolled();
    this.polls += 1;
    const watch =
      this.seen !== undefined
        ? { changedAfter: this.seen, waitMs: this.longPollMs(), signal: this.interrupted }
        : undefined;
    let document: DataProductStateDocument | undefined;
    try {
      document = await deps.state.getDataProduct(operation.ref, watch);
    } catch (error) {
      if (!this.interrupted.aborted)
        this.log.warn({ err: error }, 'state service poll failed; will poll again');
      this.blind = true;
      return 'unchanged';
    }
    if (this.blind) {
      this.blind = false;
      this.seenSince = deps.clock();
    }
    this.read(document);
    const observed = new Map((document?.resources ?? []).map((record) => [record.name, record]));
    let changed = false;
    for (const step of progress.inFlight()) {
      const observation = progress.observe(
        step,
        observed.get(step.name),
        operation.operationId,
        deps.clock(),
        this.seenSince,
      );
      switch (observation.kind) {
        case 'succeeded':
        case 'failed':
          this.settle(step, observation);
          changed = true;
          break;
        case 'timed-out':
          this.recordSettled(step, observation.kind);
          await deps.dispatcher.fail(this.run, step, observation.error);
          changed = true;
          break;
        case 'stale':
          this.log.warn(
            { resource: step.name, attempt: observation.attempt },
            'no heartbeat from the microservice; dispatching again',
          );
          progress.redispatching(step.name, observation.attempt);
          deps.dispatcher.start(this.run, step, wake);
          changed = true;
          break;
        case 'waiting':
          break;
      }
    }
    return changed ? 'changed' : watch ? 'watched' : 'unchanged';
  }

  /**
   * Settles the in-flight steps that the document read last shows finished
   * (a long-poll past its version would not answer them again). Timeouts and
   * staleness are left to fresh reads.
   */
  settleFromLast(): void {
    if (!this.last) return;
    const observed = new Map(this.last.resources.map((record) => [record.name, record]));
    for (const step of this.progress.inFlight()) {
      const observation = this.progress.observe(
        step,
        observed.get(step.name),
        this.operation.operationId,
        this.deps.clock(),
      );
      if (observation.kind === 'succeeded' || observation.kind === 'failed') this.settle(step, observation);
    }
  }

  private read(document: DataProductStateDocument | undefined): void {
    if (document) {
      if (document.operation?.cancelRequested) this.progress.cancel();
      this.deps.dependencies.remember(this.operation, document);
      if (document.historySeq !== undefined) this.seen = document.historySeq;
      this.last = document;
    }
    const observed = new Map((document?.resources ?? []).map((record) => [record.name, record]));
    this.lastSigns.clear();
    for (const step of this.progress.inFlight()) {
      const record = observed.get(step.name);
      if (record?.operationId === this.operation.operationId && isTransit(record.state)) {
        this.lastSigns.set(
          step.name,
          Math.max(
            Date.parse(record.heartbeatAt ?? '') || 0,
            Date.parse(record.updatedAt) || 0,
            this.seenSince,
          ),
        );
      }
    }
  }

  /** A step the state shows finished: recorded in the progress and in the metrics, however it was seen. */
  private settle(step: StepProgress, observation: { kind: 'succeeded' } | { kind: 'failed'; error: string }) {
    this.recordSettled(step, observation.kind);
    if (observation.kind === 'succeeded') this.progress.succeeded(step.name);
    else this.progress.failed(step.name, observation.error);
  }

  private recordSettled(step: StepProgress, outcome: 'succeeded' | 'failed' | 'timed-out'): void {
    const technology = this.operation.resources.get(step.name)?.technology ?? 'unknown';
    const now = this.deps.clock();
    this.deps.metrics?.resourceSettled(technology, outcome, (now - (step.acceptedAt ?? now)) / 1000);
  }

  /** How long a long-poll may wait: never past an in-flight step's timeout or stale deadline. */
  private longPollMs(): number {
    const now = this.deps.clock();
    let until = now + LONG_POLL_MAX_MS;
    for (const step of this.progress.inFlight()) {
      if (step.acceptedAt !== undefined) until = Math.min(until, step.acceptedAt + step.timeoutMs);
      const sign = this.lastSigns.get(step.name);
      if (sign !== undefined) until = Math.min(until, sign + this.deps.staleAfterMs);
    }
    return Math.max(0, Math.ceil(until - now));
  }
}
