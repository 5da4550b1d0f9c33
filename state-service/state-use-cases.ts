import { allResources, type DataProductRef, dataProductKey } from '../shared/descriptor/types.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { isTransit } from '../shared/state/lifecycle.js';
import type {
  DataProductRecord,
  DataProductStateDocument,
  DataProductWrite,
  HistoryEntry,
  OperationLease,
  PublicResourceRecord,
  ResourceRecord,
  ResourceWrite,
} from '../shared/state/records.js';
import { ChangeNotifier } from './change-notifier.js';
import {
  type Decision,
  decideCancel,
  decideDataProductWrite,
  decideResourceWrite,
} from './domain/decide-writes.js';
import { PerKeyQueue } from './per-key-queue.js';
import type { DataProductFilter, Page, StateStore } from './store/state-store.js';

/**
 * Longest a written change waits to be announced to long-polls while more writes of the same data product
 * are queued behind it: a burst is announced once, when the queue drains, unless it never does.
 */
const ANNOUNCE_WITHIN_MS = 100;

/** How often a transition re-reads and re-decides after losing a race, before giving up with 409. */
const MAX_TRANSITION_ATTEMPTS = 30;

export interface WriteResult<T> {
  record: T;
  changed: boolean;
}

export interface LeaseRequest {
  operationId: string;
  owner: string;
  ttlMs: number;
}

/** The transitions of one data product queued or running in this process. */
interface PendingTransitions {
  queued: number;
  /** Whether one changed it since the last announcement to long-polls. */
  changed: boolean;
  deadline?: NodeJS.Timeout;
  /** The history's head after this burst's last transition, fully projected; unknown after any failure. */
  head?: number;
}

/** A read that may wait for the data product to change past what the caller saw. */
export interface WatchRequest {
  /** The `historySeq` the caller already has; a document past it is answered at once. */
  changedAfter: number;
  /** Longest wait for a write, in ms; then the document is read again and answered as it is. */
  waitMs: number;
  /** Aborted when the caller goes away: the wait ends without another read. */
  signal?: AbortSignal;
}

export interface HeartbeatRequest {
  name: string;
  operationId: string;
  attempt: number;
}

/**
 * The state service's use cases. Every transition is event-sourced without
 * transactions: the change is first appended to the history under the next
 * sequence number (a conditional put: exactly one writer gets each number),
 * then projected onto the state item (a put conditional on its revision).
 * Whoever finds the latest history entry not yet projected — a crash between
 * the two writes — projects it before doing anything else.
 */
export class StateUseCases {
  /** Transitions of one data product, one at a time in this process (see PerKeyQueue). */
  private readonly transitions = new PerKeyQueue();
  /** Wakes the long-polls of a data product after each of its transitions in this process. */
  private readonly changes = new ChangeNotifier();
  /** Per data product: transitions queued or running here, and whether one changed it since the last announcement. */
  private readonly pending = new Map<string, PendingTransitions>();

  constructor(
    private readonly store: StateStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async getDataProduct(ref: DataProductRef): Promise<DataProductStateDocument> {
    let [latest, record, resources, lease] = await Promise.all([
      this.store.latestHistory(ref),
      this.store.getDataProduct(ref),
      this.store.listResources(ref),
      this.store.getLease(ref),
    ]);
    if (latest && (await this.project(ref, latest))) {
      [record, resources] = await Promise.all([
        this.store.getDataProduct(ref),
        this.store.listResources(ref),
      ]);
    }
    if (!record) throw new NotFoundError(`data product ${describe(ref)} is unknown`);
    const { revision: _revision, seq, ...dataProduct } = record;
    return {
      ...dataProduct,
      // The newest transition this document shows, not the newest in the history (read alongside, it may be
      // ahead): a long-poll past it then returns at once instead of missing a write the document lacks.
      historySeq: Math.max(seq ?? 0, ...resources.records.map((resource) => resource.seq ?? 0)),
      lease: lease ?? null,
      resources: resources.records.map((resource) =>
        publicResource(resource, resources.heartbeats.get(resource.name)?.at ?? null),
      ),
    };
  }

  /**
   * The data product once its history has moved past `changedAfter`: at once
   * if it already has, else after this process's next write to it, or after
   * `waitMs` (writes through other replicas are seen then) as it stands.
   */
  async watchDataProduct(ref: DataProductRef, request: WatchRequest): Promise<DataProductStateDocument> {
    const wait = this.changes.waitFor(dataProductKey(ref), request.waitMs, request.signal);
    try {
      const document = await this.getDataProduct(ref);
      if ((document.historySeq ?? 0) > request.changedAfter || request.waitMs === 0) return document;
      const outcome = await wait.outcome;
      return outcome === 'aborted' ? document : await this.getDataProduct(ref);
    } finally {
      wait.cancel();
    }
  }

  async getResource(ref: DataProductRef, name: string): Promise<PublicResourceRecord> {
    const document = await this.getDataProduct(ref);
    const resource = document.resources.find((candidate) => candidate.name === name);
    if (resource) return resource;
    const declared =
      document.descriptor && allResources(document.descriptor).find((item) => item.name === name);
    if (!declared) throw new NotFoundError(`resource ${name} is not part of data product ${describe(ref)}`);
    return {
      name,
      kind: declared.kind,
      technology: declared.technology,
      state: 'NONE',
      operationId: null,
      attempt: 0,
      lastError: null,
      info: null,
      applied: null,
      createdAt: document.createdAt,
      updatedAt: document.updatedAt,
      heartbeatAt: null,
    };
  }

  writeDataProduct(write: DataProductWrite): Promise<WriteResult<DataProductRecord>> {
    return this.transition(write, null, write.actor, async () =>
      decideDataProductWrite(await this.store.getDataProduct(write), write, this.now()),
    );
  }

  cancel(ref: DataProductRef, actor?: string): Promise<WriteResult<DataProductRecord>> {
    return this.transition(ref, null, actor, async () =>
      decideCancel(await this.store.getDataProduct(ref), this.now()),
    );
  }

  writeResource(write: ResourceWrite): Promise<WriteResult<ResourceRecord>> {
    const ref = resourceOwner(write);
    return this.transition(ref, write.name, write.actor, async () => {
      const [dataProduct, resource] = await Promise.all([
        this.store.getDataProduct(ref),
        this.store.getResource(ref, write.name),
      ]);
      return decideResourceWrite(dataProduct, resource, write, this.now());
    });
  }

  /** A microservice's sign of life while it works; refused (409) once its attempt is superseded. */
  async heartbeat(ref: DataProductRef, request: HeartbeatRequest): Promise<{ at: string }> {
    const resource = await this.store.getResource(ref, request.name);
    if (!resource || resource.operationId !== request.operationId || resource.attempt !== request.attempt) {
      throw new ConflictError(
        `resource ${request.name} is no longer worked on by operation ${request.operationId} attempt ${request.attempt}`,
        { currentState: resource?.state ?? 'NONE', operationId: resource?.operationId ?? null },
      );
    }
    if (!isTransit(resource.state)) {
      throw new ConflictError(
        `resource ${request.name} is ${resource.state}: there is no work to keep alive`,
        {
          currentState: resource.state,
          operationId: resource.operationId,
        },
      );
    }
    const at = this.now();
    await this.store.putHeartbeat(ref, request.name, {
      operationId: request.operationId,
      attempt: request.attempt,
      at,
    });
    return { at };
  }

  /** Takes the lease of the data product's running operation, if nobody holds it or it expired. */
  async claimLease(ref: DataProductRef, request: LeaseRequest): Promise<OperationLease> {
    const record = await this.store.getDataProduct(ref);
    if (!record || !isTransit(record.state) || record.operationId !== request.operationId) {
      throw new ConflictError(
        `operation ${request.operationId} is not running on data product ${describe(ref)}`,
        {
          currentState: record?.state ?? 'NONE',
          operationId: record?.operationId ?? null,
        },
      );
    }
    const current = await this.store.getLease(ref);
    if (current && current.owner === request.owner && current.operationId === request.operationId) {
      return this.renewLease(ref, request);
    }
    const lease = this.leaseFor(request);
    await this.store.putLease(ref, lease, { kind: 'claim', now: this.now() });
    return lease;
  }

  async renewLease(ref: DataProductRef, request: LeaseRequest): Promise<OperationLease> {
    const lease = this.leaseFor(request);
    await this.store.putLease(ref, lease, {
      kind: 'renew',
      owner: request.owner,
      operationId: request.operationId,
    });
    return lease;
  }

  releaseLease(ref: DataProductRef, owner: string): Promise<void> {
    return this.store.deleteLease(ref, owner);
  }

  history(ref: DataProductRef, afterSeq: number, limit: number): Promise<HistoryEntry[]> {
    return this.store.readHistory(ref, afterSeq, limit);
  }

  list(filter: DataProductFilter, limit: number, cursor?: string): Promise<Page<DataProductRecord>> {
    return this.store.listDataProducts(filter, limit, cursor);
  }

  private async transition<T extends DataProductRecord | ResourceRecord>(
    ref: DataProductRef,
    resource: string | null,
    actor: string | undefined,
    decide: () => Promise<Decision<T>>,
  ): Promise<WriteResult<T>> {
    const key = dataProductKey(ref);
    const pending: PendingTransitions = this.pending.get(key) ?? { queued: 0, changed: false };
    pending.queued += 1;
    this.pending.set(key, pending);
    try {
      const result = await this.transitions.run(key, () =>
        this.transitionNow(ref, resource, actor, decide, pending),
      );
      if (result.changed && !pending.changed) {
        pending.changed = true;
        pending.deadline = setTimeout(() => this.announce(key, pending), ANNOUNCE_WITHIN_MS);
      }
      return result;
    } finally {
      pending.queued -= 1;
      if (pending.queued === 0) {
        this.pending.delete(key);
        this.announce(key, pending);
      }
    }
  }

  /** Wakes the long-polls of a data product, once per burst of changes. */
  private announce(key: string, pending: { changed: boolean; deadline?: NodeJS.Timeout }): void {
    clearTimeout(pending.deadline);
    if (!pending.changed) return;
    pending.changed = false;
    this.changes.notify(key);
  }

  private async transitionNow<T extends DataProductRecord | ResourceRecord>(
    ref: DataProductRef,
    resource: string | null,
    actor: string | undefined,
    decide: () => Promise<Decision<T>>,
    burst: PendingTransitions,
  ): Promise<WriteResult<T>> {
    for (let attempt = 1; ; attempt += 1) {
      const decision = await this.decideOnHead(ref, decide, burst);
      if (decision.kind === 'unchanged') return { record: decision.record, changed: false };
      const seq = decision.head + 1;
      const record = { ...decision.record, seq, revision: decision.record.revision + 1 };
      const entry: HistoryEntry = {
        seq,
        at: record.updatedAt,
        entity: resource === null ? 'dataProduct' : 'resource',
        resource,
        from: decision.from,
        to: record.state,
        operationId: record.operationId,
        ...('attempt' in record ? { attempt: record.attempt } : {}),
        actor: actor ?? 'unknown',
        error: record.lastError,
        ...(decision.note ? { note: decision.note } : {}),
        record,
      };
      burst.head = undefined;
      try {
        await this.store.appendHistory(ref, entry);
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= MAX_TRANSITION_ATTEMPTS) throw error;
        await backoff(attempt);
        continue;
      }
      await this.putProjection(entry);
      burst.head = seq;
      return { record, changed: true };
    }
  }

  /**
   * Decides on the current records, knowing the history's head. Within a burst
   * of transitions of one data product in this process the head (fully
   * projected) is known from the previous one, which saves two reads; if
   * another replica wrote meanwhile, the append at head + 1 fails and the
   * retry reads everything afresh.
   */
  private async decideOnHead<T extends DataProductRecord | ResourceRecord>(
    ref: DataProductRef,
    decide: () => Promise<Decision<T>>,
    burst: PendingTransitions,
  ): Promise<Decision<T> & { head: number }> {
    let head = burst.head;
    if (head === undefined) {
      const latest = await this.store.latestHistory(ref);
      if (latest) await this.project(ref, latest);
      head = latest?.seq ?? 0;
    }
    return { ...(await decide()), head };
  }

  /** Makes the state item reflect a history entry; true when it had to be written. */
  private async project(ref: DataProductRef, entry: HistoryEntry): Promise<boolean> {
    const current =
      entry.resource === null
        ? await this.store.getDataProduct(ref)
        : await this.store.getResource(ref, entry.resource);
    if ((current?.seq ?? 0) >= entry.seq) return false;
    await this.putProjection(entry);
    return true;
  }

  private async putProjection(entry: HistoryEntry): Promise<void> {
    try {
      if (entry.resource === null) {
        const record = entry.record as DataProductRecord;
        await this.store.putDataProduct(record, record.revision - 1);
      } else {
        const record = entry.record as ResourceRecord;
        await this.store.putResource(record, record.revision - 1);
      }
    } catch (error) {
      // Another reader projected the same entry first: the item is where it should be.
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  private leaseFor(request: LeaseRequest): OperationLease {
    return {
      operationId: request.operationId,
      owner: request.owner,
      expiresAt: new Date(this.clock().getTime() + request.ttlMs).toISOString(),
    };
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

function publicResource(record: ResourceRecord, heartbeatAt: string | null): PublicResourceRecord {
  const { revision: _revision, seq: _seq, dataProduct: _dataProduct, ...rest } = record;
  return { ...rest, heartbeatAt };
}

function resourceOwner(write: ResourceWrite): DataProductRef {
  return {
    environment: write.environment,
    domain: write.domain,
    name: write.dataProduct,
    version: write.version,
  };
}

function describe(ref: DataProductRef): string {
  return `${ref.environment}/${ref.domain}/${ref.name}/${ref.version}`;
}

/** Jittered, growing pause between attempts at a contended history sequence. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(2 ** attempt, 64);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
