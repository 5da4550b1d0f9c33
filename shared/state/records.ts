import type {
  DataProductDescriptor,
  DataProductRef,
  ResourceDescriptor,
  ResourceKind,
} from '../descriptor/types.js';
import type { LifecycleState, ResourceMethod, ResourceState } from './lifecycle.js';

export type PlannedAction = 'create' | 'update' | 'delete' | 'noop' | 'blocked';

/** One resource's part in a persisted operation: enough to resume it after a crash. */
export interface OperationStep {
  name: string;
  action: PlannedAction;
  /** The microservice call; null for noop and blocked. */
  method: ResourceMethod | null;
  /** Names whose step must succeed before this one starts. */
  waitsFor: string[];
  /** Why a blocked step cannot run. */
  reason?: string;
}

/** The operation a data product is running (or ran last), persisted before its first dispatch. */
export interface OperationRecord {
  kind: 'deploy' | 'delete';
  removeData: boolean;
  steps: OperationStep[];
  startedAt: string;
  cancelRequested: boolean;
}

/** Why an operation did not complete, per resource: the microservice's error, or the dependency that blocked it. */
export interface RootCause {
  resource: string;
  error?: string;
  blockedBy?: string;
}

/** What the state service keeps per data product (table dmp-dataproduct-state). */
export interface DataProductRecord extends DataProductRef {
  state: LifecycleState;
  /** The operation that last moved the data product; transit writes must carry it. */
  operationId: string | null;
  /** The descriptor of the last deploy, so that a DELETE by path knows the resources. */
  descriptor: DataProductDescriptor | null;
  operation: OperationRecord | null;
  lastError: string | null;
  rootCauses: RootCause[];
  createdAt: string;
  updatedAt: string;
  /** Sequence of the history entry this record was projected from. */
  seq: number;
  /** Incremented by every write; each write is conditional on the revision it read. */
  revision: number;
}

/** What the state service keeps per resource (table dmp-resource-state). */
export interface ResourceRecord {
  dataProduct: DataProductRef;
  name: string;
  kind: ResourceKind;
  technology: string;
  state: ResourceState;
  operationId: string | null;
  /** Dispatch attempt within the operation; a newer attempt fences out the older one. */
  attempt: number;
  lastError: string | null;
  /** What consumers need to use the resource (for S3 the s3:// URI). */
  info: Record<string, unknown> | null;
  /** The resource descriptor last applied successfully, to diff the next change against. */
  applied: ResourceDescriptor | null;
  createdAt: string;
  updatedAt: string;
  seq: number;
  revision: number;
}

/** Liveness of the microservice working on a resource; not part of the history. */
export interface ResourceHeartbeat {
  operationId: string;
  attempt: number;
  at: string;
}

/** Who runs a data product's operation, until when; not part of the history. */
export interface OperationLease {
  operationId: string;
  owner: string;
  expiresAt: string;
}

export type PublicResourceRecord = Omit<ResourceRecord, 'revision' | 'dataProduct' | 'seq'> & {
  heartbeatAt: string | null;
};

/** A data product with its resources and lease, as the state service's GET returns it. */
export interface DataProductStateDocument extends Omit<DataProductRecord, 'revision' | 'seq'> {
  /**
   * Sequence of the latest history entry of the data product or any of its
   * resources: it grows with every transition, so a reader passes it back as
   * `changedAfter` to wait for the next one. Set by the state service.
   */
  historySeq?: number;
  resources: PublicResourceRecord[];
  lease: OperationLease | null;
}

export interface DataProductWrite extends DataProductRef {
  state: LifecycleState;
  operationId: string;
  descriptor?: DataProductDescriptor;
  operation?: Omit<OperationRecord, 'cancelRequested'>;
  lastError?: string | null;
  rootCauses?: RootCause[];
  actor?: string;
}

export interface ResourceWrite {
  environment: string;
  domain: string;
  dataProduct: string;
  version: string;
  name: string;
  kind?: ResourceKind;
  technology?: string;
  state: ResourceState;
  operationId: string;
  attempt?: number;
  lastError?: string | null;
  info?: Record<string, unknown> | null;
  applied?: ResourceDescriptor | null;
  actor?: string;
}

/** One transition, appended to the history (table dmp-state-history) before the state items move. */
export interface HistoryEntry {
  seq: number;
  at: string;
  entity: 'dataProduct' | 'resource';
  /** The resource's name; null for the data product itself. */
  resource: string | null;
  from: LifecycleState;
  to: LifecycleState;
  operationId: string | null;
  attempt?: number;
  actor: string;
  error: string | null;
  /** What happened besides the state change (for instance `cancel requested`, `re-dispatched`). */
  note?: string;
  /** The record as it stands after the transition: replaying these reproduces the current state. */
  record: DataProductRecord | ResourceRecord;
}
