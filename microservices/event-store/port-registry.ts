import type { PortIdentity } from './port-identity.js';

/** Where a port's events are archived: a bucket and the port's own prefix under the archive directory. */
export interface ArchiveTarget {
  bucket: string;
  prefix: string;
}

/**
 * What the data plane needs to serve one provisioned port, written as the
 * last step of provisioning and removed as the first step of deletion.
 */
export interface PortRecord extends PortIdentity {
  tableName: string;
  owner: string;
  allow: string[];
  archive?: ArchiveTarget;
  updatedAt: string;
}

/** The provisioned ports, by table (shared by the versions of one MAJOR) and data product version. */
export interface PortRegistry {
  put(record: PortRecord): Promise<void>;
  get(tableName: string, version: string): Promise<PortRecord | undefined>;
  remove(tableName: string, version: string): Promise<void>;
  /** The data product versions whose port uses this table. */
  versionsOf(tableName: string): Promise<string[]>;
}
