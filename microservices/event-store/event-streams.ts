import { ConflictError, UpstreamError } from '../../shared/errors.js';
import { contentionPause } from '../../shared/time/contention-pause.js';
import type { AppendCommand } from './append-command.js';
import type { EventArchive } from './event-archive.js';
import type { EventStreamStore } from './event-stream-store.js';
import type { PortRecord } from './port-registry.js';
import {
  type AppendResult,
  archiveKeyOf,
  type Commit,
  checkExpectedVersion,
  dedupe,
  placeEvents,
  prepareEvent,
  resultOf,
  type StoredEvent,
  sha256Of,
  versionOf,
} from './stream-commit.js';

export interface EventStreamsOptions {
  /** Rounds of read-head-then-put an append may lose to concurrent appends before it gives up (409). */
  maxAttempts: number;
  maxItemBytes?: number;
}

export interface ReadPage {
  aggregateId: string;
  events: { sequence: number; event: unknown }[];
  /** Pass as `from` for the next page; absent at the end of the stream. */
  next?: number;
}

/**
 * Append and read per-aggregate streams without transactions.
 *
 * Append: read the head consistently; finish the head's pending work; look
 * the ids up (index + head); check expectedVersion; put ONE item holding all
 * events at the head's next sequence, conditional on that key not existing.
 * Each put targets the successor of a head that was current when read, so
 * either the chain is still there and the key is free, or a concurrent commit
 * took exactly that key and the put fails: no gap, no overlap, no overwrite.
 *
 * Then (the commit's `pending` work) the id index and the archive copies are
 * written and the flag cleared. A crash in between leaves only the HEAD
 * pending, because every appender completes the head before it puts on top of
 * it; so an id is always found in the index or in the head, and a retry
 * returns the original result instead of appending twice.
 */
export class EventStreams {
  constructor(
    private readonly store: EventStreamStore,
    private readonly archive: EventArchive,
    private readonly options: EventStreamsOptions = { maxAttempts: 64 },
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async append(
    port: PortRecord,
    aggregateId: string,
    command: AppendCommand,
  ): Promise<{ result: AppendResult; replayed: boolean }> {
    const table = port.tableName;
    const prepared = command.events.map((event) => prepareEvent(event.metadata.id, event));
    const placed = placeEvents(aggregateId, prepared, port.archive, this.options.maxItemBytes);
    let claimsWritten = false;
    let currentVersion = 0;
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      const head = await this.store.head(table, aggregateId);
      if (head?.pending) await this.complete(port, head);
      const decision = dedupe(prepared, await this.holdersOf(table, aggregateId, prepared, head));
      if (decision.kind === 'replay') {
        // The head, if pending, was completed just above.
        if (decision.commit.pending && decision.commit !== head) await this.complete(port, decision.commit);
        return { result: resultOf(decision.commit), replayed: true };
      }
      currentVersion = versionOf(head);
      checkExpectedVersion(command.expectedVersion, currentVersion);
      if (!claimsWritten) {
        await this.writeClaims(placed, prepared);
        claimsWritten = true;
      }
      const commit: Commit = {
        aggregateId,
        sequence: currentVersion + 1,
        events: placed,
        committedAt: this.clock().toISOString(),
        pending: true,
      };
      if (await this.store.putCommit(table, commit)) {
        await this.complete(port, commit);
        return { result: resultOf(commit), replayed: false };
      }
      await contentionPause(attempt, 50);
    }
    throw new ConflictError(
      `the aggregate kept changing during ${this.options.maxAttempts} attempts; try again`,
      { currentVersion },
    );
  }

  async read(port: PortRecord, aggregateId: string, from: number, limit: number): Promise<ReadPage> {
    const { commits, more } = await this.store.commitsFrom(port.tableName, aggregateId, from, limit);
    const events: ReadPage['events'] = [];
    let leftOver = false;
    for (const commit of commits) {
      for (const [index, stored] of commit.events.entries()) {
        const sequence = commit.sequence + index;
        if (sequence < from) continue;
        if (events.length === limit) {
          leftOver = true;
          break;
        }
        events.push({ sequence, event: JSON.parse(await this.bodyOf(stored)) });
      }
    }
    const last = events.at(-1)?.sequence;
    return {
      aggregateId,
      events,
      ...((more || leftOver) && last !== undefined ? { next: last + 1 } : {}),
    };
  }

  /** The pending work of a commit; idempotent, so the appender, a retry or the next appender may do it. */
  async complete(port: PortRecord, commit: Commit): Promise<void> {
    await this.store.indexCommit(port.tableName, commit);
    if (port.archive) {
      for (const [index, stored] of commit.events.entries()) {
        const key = archiveKeyOf(port.archive, commit.aggregateId, commit.sequence + index);
        if (stored.body !== undefined) await this.archive.put(port.archive.bucket, key, stored.body);
        else if (stored.claim) await this.archive.copy(stored.claim.bucket, stored.claim.key, key);
      }
    }
    await this.store.markComplete(port.tableName, commit.aggregateId, commit.sequence);
  }

  /** The commits holding any requested id: those the index knows, and the head (which may not be indexed yet). */
  private async holdersOf(
    table: string,
    aggregateId: string,
    prepared: readonly { id: string }[],
    head: Commit | undefined,
  ): Promise<Commit[]> {
    const indexed = await this.store.commitsOfIds(
      table,
      aggregateId,
      prepared.map((event) => event.id),
    );
    const sequences = new Set(indexed.values());
    const holders: Commit[] = head ? [head] : [];
    for (const sequence of sequences) {
      if (sequence === head?.sequence) continue;
      const commit = await this.store.getCommit(table, aggregateId, sequence);
      if (commit) holders.push(commit);
    }
    return holders;
  }

  private async writeClaims(placed: readonly StoredEvent[], prepared: readonly { body: string }[]) {
    for (const [index, stored] of placed.entries()) {
      const body = prepared[index]?.body;
      if (stored.claim && body !== undefined)
        await this.archive.put(stored.claim.bucket, stored.claim.key, body);
    }
  }

  private async bodyOf(stored: StoredEvent): Promise<string> {
    if (stored.body !== undefined) return stored.body;
    if (!stored.claim) throw new Error(`event ${stored.id} has neither a body nor a claim check`);
    // The archive lost or changed what the table points at: the event cannot be served as written.
    const body = await this.archive.get(stored.claim.bucket, stored.claim.key);
    if (body === undefined) {
      throw new UpstreamError(
        `the claim-checked event ${stored.id} is missing from s3://${stored.claim.bucket}/${stored.claim.key}`,
      );
    }
    if (Buffer.byteLength(body, 'utf8') !== stored.size || sha256Of(body) !== stored.sha256) {
      throw new UpstreamError(
        `the claim-checked event ${stored.id} does not match its sha256: the archive object changed`,
      );
    }
    return body;
  }
}
