import { createHash } from 'node:crypto';
import { ConflictError, PayloadTooLargeError } from '../../shared/errors.js';
import type { ExpectedVersion } from './append-command.js';
import type { ArchiveTarget } from './port-registry.js';

/**
 * One append of one aggregate: a single table item keyed (aggregateId, first
 * sequence) holding all its events, so a multi-event append is one
 * conditional put, all or nothing. Event i of the commit has sequence
 * `sequence + i`.
 */
export interface Commit {
  aggregateId: string;
  sequence: number;
  events: StoredEvent[];
  committedAt: string;
  /** The id index and the archive copies are not written yet (see EventStreams.complete). */
  pending: boolean;
}

/** An event as kept in its commit: its JSON inline, or a reference to the archive (claim check). */
export interface StoredEvent {
  id: string;
  /** Of the event's JSON text (UTF-8): the replay check and the claim check's integrity proof. */
  sha256: string;
  size: number;
  body?: string;
  claim?: { bucket: string; key: string };
}

/** What an event looks like before it gets a place: its JSON text, as it will be stored and read back. */
export interface PreparedEvent {
  id: string;
  body: string;
  sha256: string;
  size: number;
}

export interface AppendResult {
  aggregateId: string;
  firstSequence: number;
  lastSequence: number;
  /** The aggregate's version after this append: pass it as expectedVersion for the next one. */
  version: number;
  events: { id: string; sequence: number }[];
  committedAt: string;
}

/** DynamoDB's item size limit. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** Generous allowances for attribute names, numbers and list/map framing, so an estimate never undershoots. */
const ITEM_OVERHEAD_BYTES = 1024;
const EVENT_OVERHEAD_BYTES = 200;

export function prepareEvent(id: string, event: unknown): PreparedEvent {
  const body = JSON.stringify(event);
  return { id, body, sha256: sha256Of(body), size: Buffer.byteLength(body, 'utf8') };
}

export function sha256Of(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function lastSequenceOf(commit: Commit): number {
  return commit.sequence + commit.events.length - 1;
}

/** The version of a stream whose newest commit is `head`: 0 for an empty stream. */
export function versionOf(head: Commit | undefined): number {
  return head ? lastSequenceOf(head) : 0;
}

export function checkExpectedVersion(expected: ExpectedVersion, current: number): void {
  const wanted = expected === 'no_stream' ? 0 : expected;
  if (wanted === 'any' || wanted === current) return;
  throw new ConflictError(
    expected === 'no_stream'
      ? `the aggregate already has events (version ${current})`
      : `the aggregate is at version ${current}, not ${expected}`,
    { currentVersion: current },
  );
}

export type DedupeDecision = { kind: 'new' } | { kind: 'replay'; commit: Commit };

/**
 * Idempotency by event id: given the commits that hold any of the requested
 * ids, the append is new (none), a retry of exactly one earlier append (the
 * same ids in the same order with the same content), or a conflict.
 */
export function dedupe(events: readonly PreparedEvent[], holders: readonly Commit[]): DedupeDecision {
  const requested = new Set(events.map((event) => event.id));
  const matching = holders.filter((commit) => commit.events.some((stored) => requested.has(stored.id)));
  if (matching.length === 0) return { kind: 'new' };
  const [commit] = matching;
  const sameIds =
    matching.length === 1 &&
    commit !== undefined &&
    commit.events.length === events.length &&
    commit.events.every((stored, index) => stored.id === events[index]?.id);
  if (!sameIds || !commit) {
    const found = matching.flatMap((holder) =>
      holder.events
        .map((stored, index) => ({ id: stored.id, sequence: holder.sequence + index }))
        .filter(({ id }) => requested.has(id)),
    );
    throw new ConflictError(
      `events ${found.map(({ id, sequence }) => `${id} (sequence ${sequence})`).join(', ')} were already appended in another append; a retry must repeat the original append exactly`,
      { duplicates: found },
    );
  }
  const changed = commit.events.find((stored, index) => stored.sha256 !== events[index]?.sha256);
  if (changed) {
    throw new ConflictError(`event ${changed.id} was already appended with different content`, {
      duplicates: [{ id: changed.id, sequence: commit.sequence + commit.events.indexOf(changed) }],
    });
  }
  return { kind: 'replay', commit };
}

/**
 * Where each event goes: inline in the commit item while the item stays
 * under DynamoDB's limit, otherwise (largest first) to the archive as a claim
 * check. Without an archive an event that does not fit is refused (413).
 */
export function placeEvents(
  aggregateId: string,
  events: readonly PreparedEvent[],
  archive: ArchiveTarget | undefined,
  maxItemBytes = MAX_ITEM_BYTES,
): StoredEvent[] {
  const claimed = new Set<number>();
  const sizeOf = (index: number, event: PreparedEvent) =>
    EVENT_OVERHEAD_BYTES + Buffer.byteLength(event.id) + (claimed.has(index) ? 1024 : event.size);
  const total = () =>
    ITEM_OVERHEAD_BYTES +
    Buffer.byteLength(aggregateId) +
    events.reduce((sum, event, index) => sum + sizeOf(index, event), 0);
  const bySize = events.map((event, index) => ({ event, index })).sort((a, b) => b.event.size - a.event.size);
  for (const { index } of bySize) {
    if (total() <= maxItemBytes) break;
    claimed.add(index);
  }
  if (total() > maxItemBytes) {
    throw new PayloadTooLargeError(
      `the append is too large for one commit even with every event claim-checked`,
    );
  }
  if (claimed.size > 0 && !archive) {
    const ids = events.filter((_event, index) => claimed.has(index)).map((event) => event.id);
    throw new PayloadTooLargeError(
      `events ${ids.join(', ')} do not fit in a DynamoDB item (${maxItemBytes} bytes) and this port has no archive for a claim check`,
    );
  }
  return events.map((event, index) => {
    const base = { id: event.id, sha256: event.sha256, size: event.size };
    if (!claimed.has(index) || !archive) return { ...base, body: event.body };
    return { ...base, claim: { bucket: archive.bucket, key: claimKeyOf(archive, event.sha256) } };
  });
}

/** Claim-checked bodies are content-addressed: written before the commit, harmless if the commit loses. */
export function claimKeyOf(archive: ArchiveTarget, sha256: string): string {
  return `${archive.prefix}/claim-check/${sha256}.json`;
}

/** The archive copy of event `sequence` of an aggregate: written only for committed events. */
export function archiveKeyOf(archive: ArchiveTarget, aggregateId: string, sequence: number): string {
  return `${archive.prefix}/events/${aggregateId}/${String(sequence).padStart(20, '0')}.json`;
}

export function resultOf(commit: Commit): AppendResult {
  return {
    aggregateId: commit.aggregateId,
    firstSequence: commit.sequence,
    lastSequence: lastSequenceOf(commit),
    version: lastSequenceOf(commit),
    events: commit.events.map((stored, index) => ({ id: stored.id, sequence: commit.sequence + index })),
    committedAt: commit.committedAt,
  };
}
