/** The lifecycle of the per-port event tables (key: aggregateId S, sequence N). */
export interface EventTables {
  /** Creates the table when missing and resolves once it is ACTIVE; true when it was created. */
  ensureTable(tableName: string): Promise<boolean>;
  /** Deletes the table and its data; absent is fine. */
  deleteTable(tableName: string): Promise<void>;
  exists(tableName: string): Promise<boolean>;
}
