import type { DataProductRef } from '../../shared/descriptor/types.js';
import type { LifecycleState } from '../../shared/state/lifecycle.js';
import type {
  DataProductRecord,
  HistoryEntry,
  OperationLease,
  ResourceHeartbeat,
  ResourceRecord,
} from '../../shared/state/records.js';

export interface DataProductFilter {
  environment?: string;
  domain?: string;
  state?: LifecycleState;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass it back to get the next page. Absent on the last page. */
  cursor?: string;
}

/** How a lease write may win: a claim takes a missing or expired lease; a renewal needs the same owner and operation. */
export type LeaseCondition =
  | { kind: 'claim'; now: string }
  | { kind: 'renew'; owner: string; operationId: string };

/**
 * Where the state service keeps records. State items are projections of the
 * history: every put is conditional on the revision the caller read (0 for an
 * item that must not exist yet) and throws a ConflictError when another writer
 * got there first; so does appending history at a sequence that is taken.
 */
export interface StateStore {
  getDataProduct(ref: DataProductRef): Promise<DataProductRecord | undefined>;
  getResource(ref: DataProductRef, name: string): Promise<ResourceRecord | undefined>;
  listResources(
    ref: DataProductRef,
  ): Promise<{ records: ResourceRecord[]; heartbeats: Map<string, ResourceHeartbeat> }>;
  putDataProduct(record: DataProductRecord, expectedRevision: number): Promise<void>;
  putResource(record: ResourceRecord, expectedRevision: number): Promise<void>;

  /** The newest history entry: the last entry of the last history item. */
  latestHistory(ref: DataProductRef): Promise<HistoryEntry | undefined>;
  /** The entries of the last history item (empty for no history): what a crashed writer may have left unprojected. */
  latestHistoryItem(ref: DataProductRef): Promise<HistoryEntry[]>;
  /**
   * Stores consecutive entries (a batch of transitions) as one history item
   * keyed by the first one's seq; a ConflictError when that seq is taken.
   */
  appendHistory(ref: DataProductRef, entries: readonly HistoryEntry[]): Promise<void>;
  /** Entries past `afterSeq`, in order, at most `limit`, whatever items hold them. */
  readHistory(ref: DataProductRef, afterSeq: number, limit: number): Promise<HistoryEntry[]>;

  getLease(ref: DataProductRef): Promise<OperationLease | undefined>;
  putLease(ref: DataProductRef, lease: OperationLease, condition: LeaseCondition): Promise<void>;
  deleteLease(ref: DataProductRef, owner: string): Promise<void>;
  putHeartbeat(ref: DataProductRef, resource: string, heartbeat: ResourceHeartbeat): Promise<void>;

  listDataProducts(
    filter: DataProductFilter,
    limit: number,
    cursor?: string,
  ): Promise<Page<DataProductRecord>>;
}
