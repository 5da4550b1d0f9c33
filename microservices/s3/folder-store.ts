/** S3 folders as dmp uses them: zero-byte `prefix/` markers inside an existing bucket. */
export interface FolderStore {
  bucketExists(bucket: string): Promise<boolean>;
  /** Creates the `prefix/` marker when absent; true when it was created. */
  ensureFolder(bucket: string, prefix: string): Promise<boolean>;
  removeFolderMarker(bucket: string, prefix: string): Promise<void>;
  /** Deletes every object under `prefix/`; returns how many. */
  removeObjects(bucket: string, prefix: string): Promise<number>;
}
