import type {
  DataProductDescriptor,
  DataProductRef,
  ResourceDescriptor,
  ResourceKind,
} from '../descriptor/types.js';
import type { LifecycleState, ResourceState } from './lifecycle.js';

/** What the state service keeps per data product (table dmp-dataproduct-state). */
export interface DataProductRecord extends DataProductRef {
  state: LifecycleState;
  /** The operation that last moved the data product; transit writes must carry it. */
  operationId: string | null;
  /** The descriptor of the last accepted request, so that a DELETE by path knows the resources. */
  descriptor: DataProductDescriptor | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
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
  lastError: string | null;
  /** What consumers need to use the resource (for S3 the s3:// URI). */
  info: Record<string, unknown> | null;
  /** The resource descriptor last applied successfully, to diff the next change against. */
  applied: ResourceDescriptor | null;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

/** A data product with its resources, as the state service's GET returns it. */
export interface DataProductStateDocument extends Omit<DataProductRecord, 'revision'> {
  resources: Omit<ResourceRecord, 'revision' | 'dataProduct'>[];
}

export interface DataProductWrite extends DataProductRef {
  state: LifecycleState;
  operationId: string;
  descriptor?: DataProductDescriptor;
  lastError?: string | null;
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
  lastError?: string | null;
  info?: Record<string, unknown> | null;
  applied?: ResourceDescriptor | null;
}
