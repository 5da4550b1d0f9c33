import type { Commit } from './stream-commit.js';

/** The commits of one port's table. Every read is strongly consistent. */
export interface EventStreamStore {
  /** The newest commit of the aggregate, or undefined for an empty stream. */
  head(tableName: string, aggregateId: string): Promise<Commit | undefined>;
  getCommit(tableName: string, aggregateId: string, sequence: number): Promise<Commit | undefined>;
  /** From the id index: the first sequence of the commit holding each of these ids that has one. */
  commitsOfIds(tableName: string, aggregateId: string, ids: readonly string[]): Promise<Map<string, number>>;
  /** Conditional on the key alone; false when a commit already holds this sequence. */
  putCommit(tableName: string, commit: Commit): Promise<boolean>;
  /** Records id → commit for each event of the commit (idempotent). */
  indexCommit(tableName: string, commit: Commit): Promise<void>;
  /** Clears the commit's pending flag (idempotent). */
  markComplete(tableName: string, aggregateId: string, sequence: number): Promise<void>;
  /**
   * Commits in sequence order that hold an event at or after `from`, at most
   * `maxCommits`; `more` when further commits exist.
   */
  commitsFrom(
    tableName: string,
    aggregateId: string,
    from: number,
    maxCommits: number,
  ): Promise<{ commits: Commit[]; more: boolean }>;
}
