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
  decideBatch,
  lastRecordsOf,
  type StoredRecords,
  type Transition,
  type TransitionResult,
} from './domain/decide-batch.js';
import { decideCancel, decideDataProductWrite, decideResourceWrite } from './domain/decide-writes.js';
import { GroupCommitQueue, type Settlement } from './group-commit-queue.js';
import type { DataProductFilter, Page, StateStore } from './store/state-store.js';

/** How often a batch of transitions re-reads and re-decides after losing a race, before giving up with 409. */
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

/**
 * The history's head after this process's last batch of a data product, fully
 * projected, and its records as of that head (every resource of it).
 */
interface KnownState {
  head: number;
  stored: StoredRecords;
}

/** Data products whose state this process keeps known between batches; the least recently written go first. */
const MAX_KNOWN_DATA_PRODUCTS = 1000;

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
 * The transitions of one data product queued while one batch is being
 * committed are committed together as the next batch: one history item,
 * one conditional put. Whoever finds the last history item not fully
 * projected — a crash between the two writes — projects it before doing
 * anything else.
 */
export class StateUseCases {
  /** Transitions of one data product, committed in batches (see GroupCommitQueue). */
  private readonly transitions = new GroupCommitQueue<
    { ref: DataProductRef; transition: Transition },
    TransitionResult
  >((key, tasks) => this.commitBatch(key, tasks));
  /** Per data product: its state after this process's last batch, unknown after any failure (see readForBatch). */
  private readonly known = new Map<string, KnownState>();
  /** Wakes the long-polls of a data product after each batch of its transitions in this process. */
  private readonly changes = new ChangeNotifier();

  constructor(
    private readonly store: StateStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async getDataProduct(ref: DataProductRef): Promise<DataProductStateDocument> {
    let [latest, record, resources, lease] = await Promise.all([
      this.store.latestHistoryItem(ref),
      this.store.getDataProduct(ref),
      this.store.listResources(ref),
      this.store.getLease(ref),
    ]);
    if (await this.catchUp(latest, { dataProduct: record, resources: byName(resources.records) })) {
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

  writeResource(write: ResourceWrite): Promise<WriteResult<ResourceRecord>> {
    return this.transition<ResourceRecord>(resourceOwner(write), {
      resource: write.name,
      actor: write.actor,
      decide: (records, now) =>
        decideResourceWrite(records.dataProduct, records.resource(write.name), write, now),
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

  private transition<T extends DataProductRecord | ResourceRecord>(
    ref: DataProductRef,
    transition: Transition,
  ): Promise<WriteResult<T>> {
    return this.transitions.submit(dataProductKey(ref), { ref, transition }) as Promise<WriteResult<T>>;
  }

  /**
   * Commits the transitions of one data product queued together: one read
   * round (none when this process remembers the state from its previous
   * batch), every decision in memory, one history item, then the projections.
   * Losing the history put to another replica re-reads everything and decides
   * the whole batch again. A put that wins proves the records it was decided
   * on current, so refusals decided alongside stand.
   */
  private async commitBatch(
    key: string,
    tasks: Array<{ ref: DataProductRef; transition: Transition }>,
  ): Promise<Array<Settlement<TransitionResult>>> {
    const ref = tasks[0]?.ref as DataProductRef;
    const transitions = tasks.map((task) => task.transition);
    for (let attempt = 1; ; attempt += 1) {
      const { head, stored, fromMemory } = await this.readForBatch(key, ref);
      const batch = decideBatch(transitions, stored, head, this.now());
      const settlements = batch.outcomes.map((outcome): Settlement<TransitionResult> => {
        if (outcome.kind === 'deferred') return 'deferred';
        return outcome.kind === 'done'
          ? { ok: true, value: outcome.result }
          : { ok: false, error: outcome.error };
      });
      if (batch.entries.length === 0) {
        // Refusals and replays decided on what this process remembers are only as good as that memory, and
        // with nothing to put nothing proves it current: they are decided again on fresh reads.
        if (fromMemory) {
          this.known.delete(key);
          continue;
        }
        this.remember(key, { head, stored });
        return settlements;
      }
      this.known.delete(key);
      try {
        await this.store.appendHistory(ref, batch.entries);
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= MAX_TRANSITION_ATTEMPTS) throw error;
        await backoff(attempt);
        continue;
      }
      await Promise.all(
        batch.touched.map((touched) =>
          this.putProjection(touched.resource, touched.record, touched.expectedRevision),
        ),
      );
      this.remember(key, { head: head + batch.entries.length, stored: batch.after });
      this.changes.notify(key);
      return settlements;
    }
  }

  /**
   * The history's head and the records a batch decides on. Both are known
   * from this process's previous batch of the data product, if any, which
   * saves every read: if anybody else wrote since, the history put at head + 1
   * fails (every writer puts at the successor of a head it read, so whoever
   * wrote after that head took exactly that key) and the retry reads afresh.
   * Otherwise one round of reads, in parallel.
   */
  private async readForBatch(
    key: string,
    ref: DataProductRef,
  ): Promise<KnownState & { fromMemory: boolean }> {
    const known = this.known.get(key);
    if (known) return { ...known, fromMemory: true };
    // The last item may be left unprojected by a crashed writer: every record it touched is read to see.
    const [latest, dataProduct, resources] = await Promise.all([
      this.store.latestHistoryItem(ref),
      this.store.getDataProduct(ref),
      this.store.listResources(ref),
    ]);
    const stored = { dataProduct, resources: byName(resources.records) };
    await this.catchUp(latest, stored);
    return { head: latest.at(-1)?.seq ?? 0, stored, fromMemory: false };
  }

  private remember(key: string, state: KnownState): void {
    this.known.delete(key);
    this.known.set(key, state);
    if (this.known.size > MAX_KNOWN_DATA_PRODUCTS) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }

  /**
   * Projects every record the last history item touched whose stored item is
   * older than that item's last entry of it, and updates `stored` to match;
   * true when one had to be written.
   */
  private async catchUp(
    lastItem: readonly HistoryEntry[],
    stored: {
      dataProduct: DataProductRecord | undefined;
      resources: Map<string, ResourceRecord | undefined>;
    },
  ): Promise<boolean> {
    const behind = lastRecordsOf(lastItem).filter((entry) => {
      const current = entry.resource === null ? stored.dataProduct : stored.resources.get(entry.resource);
      return (current?.seq ?? 0) < entry.seq;
    });
    await Promise.all(
      behind.map((entry) => {
        const current = entry.resource === null ? stored.dataProduct : stored.resources.get(entry.resource);
        if (entry.resource === null) stored.dataProduct = entry.record as DataProductRecord;
        else stored.resources.set(entry.resource, entry.record as ResourceRecord);
        return this.putProjection(entry.resource, entry.record, current?.revision ?? 0);
      }),
    );
    return behind.length > 0;
  }

  /** Writes a record's state item over the revision read; losing means another writer projected it first. */
  private async putProjection(
    resource: string | null,
    record: DataProductRecord | ResourceRecord,
    expectedRevision: number,
  ): Promise<void> {
    try {
      if (resource === null) await this.store.putDataProduct(record as DataProductRecord, expectedRevision);
      else await this.store.putResource(record as ResourceRecord, expectedRevision);
    } catch (error) {
      // Another reader projected it first (or a later batch moved it on, past this state): leave it.
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

/** Jittered, growing pause between attempts at a contended history sequence. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(2 ** attempt, 64);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
