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
import type { Transition } from './domain/decide-batch.js';
import { decideCancel, decideDataProductWrite, decideResourceWrite } from './domain/decide-writes.js';
import {
  assertHeartbeatInScope,
  assertWriteInScope,
  type WriterScope,
} from './domain/resource-write-scope.js';
import { ListingCursors } from './listing-cursors.js';
import { ReadCoalescer } from './read-coalescer.js';
import type { DataProductFilter, Page, StateStore } from './store/state-store.js';
import { TransitionCommits } from './transition-commits.js';

export interface WriteResult<T> {
  record: T;
  changed: boolean;
}

export interface LeaseRequest {
  operationId: string;
  owner: string;
  ttlMs: number;
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
 * The state service's use cases: reads (with the catch-up of a crashed
 * writer's last history item), long-polls, transitions decided by the pure
 * rules of `domain/` and committed in batches by TransitionCommits,
 * heartbeats and leases.
 */
export class StateUseCases {
  /** Wakes the long-polls of a data product after each batch of its transitions in this process. */
  private readonly changes = new ChangeNotifier();
  private readonly commits: TransitionCommits;
  private readonly reads = new ReadCoalescer<DataProductStateDocument>();

  constructor(
    private readonly store: StateStore,
    private readonly clock: () => Date = () => new Date(),
    private readonly cursors = new ListingCursors(),
  ) {
    this.commits = new TransitionCommits(store, this.changes, () => this.now());
  }

  /** The data product's state document; callers asking together share one read (see ReadCoalescer). */
  getDataProduct(ref: DataProductRef): Promise<DataProductStateDocument> {
    return this.reads.read(dataProductKey(ref), () => this.readDataProduct(ref));
  }

  private async readDataProduct(ref: DataProductRef): Promise<DataProductStateDocument> {
    let [latest, record, resources, lease] = await Promise.all([
      this.store.latestHistoryItem(ref),
      this.store.getDataProduct(ref),
      this.store.listResources(ref),
      this.store.getLease(ref),
    ]);
    if (await this.commits.catchUp(latest, { dataProduct: record, resources: byName(resources.records) })) {
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
   * Whether it has moved is asked of the history's head alone (one read, not
   * the document's four): a follower asks again as soon as it is answered,
   * and usually nothing has moved yet. Undefined when the caller hung up
   * before anything was read.
   */
  async watchDataProduct(
    ref: DataProductRef,
    request: WatchRequest,
  ): Promise<DataProductStateDocument | undefined> {
    const wait = this.changes.waitFor(dataProductKey(ref), request.waitMs, request.signal);
    try {
      if (request.waitMs > 0) {
        const head = (await this.store.latestHistoryItem(ref)).at(-1)?.seq ?? 0;
        // No history at all: the document read answers (404 for an unknown data product) without waiting.
        if (head > 0 && head <= request.changedAfter) {
          const outcome = await wait.outcome;
          return outcome === 'aborted' ? undefined : await this.getDataProduct(ref);
        }
      }
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
    return this.transition<DataProductRecord>(write, {
      resource: null,
      actor: write.actor,
      decide: (records, now) => decideDataProductWrite(records.dataProduct, write, now),
    });
  }

  cancel(ref: DataProductRef, actor?: string): Promise<WriteResult<DataProductRecord>> {
    return this.transition<DataProductRecord>(ref, {
      resource: null,
      actor,
      decide: (records, now) => decideCancel(records.dataProduct, now),
    });
  }

  /**
   * A resource transition. With `scope` (a microservice's credential), the
   * write must also stay within it (see `assertWriteInScope`), decided on the
   * same records as the transition itself.
   */
  writeResource(write: ResourceWrite, scope?: WriterScope): Promise<WriteResult<ResourceRecord>> {
    return this.transition<ResourceRecord>(resourceOwner(write), {
      resource: write.name,
      actor: write.actor,
      decide: (records, now) => {
        const current = records.resource(write.name);
        if (scope) assertWriteInScope(records.dataProduct, current, write, scope);
        return decideResourceWrite(records.dataProduct, current, write, now);
      },
    });
  }

  /** A microservice's sign of life while it works; refused (409) once its attempt is superseded. */
  async heartbeat(
    ref: DataProductRef,
    request: HeartbeatRequest,
    scope?: WriterScope,
  ): Promise<{ at: string }> {
    const resource = await this.store.getResource(ref, request.name);
    if (resource && scope) assertHeartbeatInScope(resource, scope);
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

  /** A page of data products; its cursor is signed for this filter (see ListingCursors). */
  async list(filter: DataProductFilter, limit: number, cursor?: string): Promise<Page<DataProductRecord>> {
    const page = await this.store.listDataProducts(
      filter,
      limit,
      cursor === undefined ? undefined : this.cursors.open(cursor, filter),
    );
    return page.cursor ? { ...page, cursor: this.cursors.sign(page.cursor, filter) } : page;
  }

  private transition<T extends DataProductRecord | ResourceRecord>(
    ref: DataProductRef,
    transition: Transition,
  ): Promise<WriteResult<T>> {
    return this.commits.submit(ref, transition) as Promise<WriteResult<T>>;
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

function byName(records: readonly ResourceRecord[]): Map<string, ResourceRecord | undefined> {
  return new Map(records.map((record) => [record.name, record]));
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
