import type { DataProductRef } from '../../shared/descriptor/types.js';
import type { DataProductRecord, ResourceRecord } from '../../shared/state/records.js';

/**
 * Where the state service keeps records. Every put is conditional on the
 * revision the caller read (0 for a record that must not exist yet) and throws
 * a ConflictError when another writer got there first.
 */
export interface StateStore {
  getDataProduct(ref: DataProductRef): Promise<DataProductRecord | undefined>;
  getResource(ref: DataProductRef, name: string): Promise<ResourceRecord | undefined>;
  listResources(ref: DataProductRef): Promise<ResourceRecord[]>;
  putDataProduct(record: DataProductRecord, expectedRevision: number): Promise<void>;
  putResource(record: ResourceRecord, expectedRevision: number): Promise<void>;
}
