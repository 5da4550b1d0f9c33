import type { DataProductRef } from '../shared/descriptor/types.js';
import { dataProductKey } from '../shared/descriptor/types.js';
import { ConflictError } from '../shared/errors.js';
import type { DataProductRecord, HistoryEntry, ResourceRecord } from '../shared/state/records.js';
import { contentionPause } from '../shared/time/contention-pause.js';
import type { ChangeNotifier } from './change-notifier.js';
import {
  decideBatch,
  lastRecordsOf,
  type StoredRecords,
  type Transition,
  type TransitionResult,
} from './domain/decide-batch.js';
import { GroupCommitQueue, type Settlement } from './group-commit-queue.js';
import type { StateStore } from './store/state-store.js';

/** How often a batch of transitions re-reads and re-decides after losing a race, before giving up with 409. */
const MAX_TRANSITION_ATTEMPTS = 30;

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

/**
 * How transitions reach DynamoDB, event-sourced without transactions: the
 * transitions of one data product queued while one batch of them is being
 * committed are decided together in memory and appended to the history as
 * one item under the next sequence numbers (a put conditional on its first
 * key: exactly one writer gets each number), then projected onto the state
 * items (puts conditional on their revision). Whoever finds the last history
 * item not fully projected (a crash between the two writes) projects it first.
 */
export class TransitionCommits {
  private readonly queue = new GroupCommitQueue<
    { ref: DataProductRef; transition: Transition },
    TransitionResult
  >((key, tasks) => this.commitBatch(key, tasks));
  /** Per data product: its state after this process's last batch, unknown after any failure (see readForBatch). */
  private readonly known = new Map<string, KnownState>();

  constructor(
    private readonly store: StateStore,
    private readonly changes: ChangeNotifier,
    private readonly now: () => string,
  ) {}

  submit(ref: DataProductRef, transition: Transition): Promise<TransitionResult> {
    return this.queue.submit(dataProductKey(ref), { ref, transition });
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
        await contentionPause(attempt, 64);
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
  async catchUp(
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
}

function byName(records: readonly ResourceRecord[]): Map<string, ResourceRecord | undefined> {
  return new Map(records.map((record) => [record.name, record]));
}
