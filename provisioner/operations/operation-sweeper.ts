import { allResources, emptyDescriptor, type ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { Logger } from '../../shared/logging/logger.js';
import { TRANSIT_STATES } from '../../shared/state/lifecycle.js';
import type { DataProductStateDocument } from '../../shared/state/records.js';
import type { StateClient } from '../../shared/state/state-client.js';
import type { Operation, OperationRunner } from './operation-runner.js';

export interface SweeperOptions {
  intervalMs: number;
  leaseMs: number;
  /** This provisioner's lease owner name: a lease it holds but does not run was left by its previous life. */
  instanceId: string;
}

/**
 * Finds operations nobody runs any more — their provisioner was killed, or
 * lost its lease — and resumes them here. Every replica sweeps; the lease
 * claim (a conditional write) makes sure only one of them resumes each.
 */
export class OperationSweeper {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly state: StateClient,
    private readonly runner: OperationRunner,
    private readonly options: SweeperOptions,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  start(): void {
    const tick = () => {
      this.sweeping ??= this.sweep()
        .then(() => undefined)
        .catch((error) => this.logger.warn({ err: error }, 'sweep failed; will try again'))
        .finally(() => {
          this.sweeping = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  async sweep(): Promise<number> {
    let resumed = 0;
    for (const state of TRANSIT_STATES) {
      let cursor: string | undefined;
      do {
        const page = await this.state.list({ state, limit: 100, cursor });
        for (const summary of page.items) {
          if (summary.operationId && this.runner.isRunning(summary.operationId)) continue;
          const document = await this.state.getDataProduct(summary);
          if (document && this.isAbandoned(document)) {
            const operation = operationOf(document);
            if (operation) {
              this.runner.start(operation, document);
              resumed += 1;
            }
          }
        }
        cursor = page.cursor;
      } while (cursor);
    }
    return resumed;
  }

  /**
   * Nobody runs it: the lease expired, or was never taken within a lease period
   * of the claim, or it is our own lease from before a restart (same instance id).
   */
  private isAbandoned(document: DataProductStateDocument): boolean {
    const now = this.clock();
    if (document.lease && document.lease.operationId === document.operationId) {
      return document.lease.owner === this.options.instanceId || Date.parse(document.lease.expiresAt) < now;
    }
    return Date.parse(document.updatedAt) + this.options.leaseMs < now;
  }
}

/** Rebuilds a running operation from what the state service persisted before its first dispatch. */
export function operationOf(document: DataProductStateDocument): Operation | undefined {
  if (!document.operation || !document.operationId) return undefined;
  const declared = new Map(
    (document.descriptor ? allResources(document.descriptor) : []).map((r) => [r.name, r]),
  );
  const records = new Map(document.resources.map((record) => [record.name, record]));
  const resources = new Map<string, ResourceDescriptor>();
  for (const step of document.operation.steps) {
    const resource =
      (document.operation.kind === 'deploy' ? declared.get(step.name) : undefined) ??
      records.get(step.name)?.applied ??
      declared.get(step.name);
    if (resource) resources.set(step.name, resource);
  }
  const ref = {
    environment: document.environment,
    domain: document.domain,
    name: document.name,
    version: document.version,
  };
  return {
    operationId: document.operationId,
    ref,
    kind: document.operation.kind,
    transit: document.state,
    descriptor: document.descriptor ?? emptyDescriptor(ref),
    removeData: document.operation.removeData,
    steps: document.operation.steps,
    resources,
  };
}
