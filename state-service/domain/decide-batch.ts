import type { DataProductRecord, HistoryEntry, ResourceRecord } from '../../shared/state/records.js';
import type { Decision } from './decide-writes.js';

/** The records of one data product as a batch of transitions sees them, each after the ones before it. */
export interface RecordsView {
  readonly dataProduct: DataProductRecord | undefined;
  resource(name: string): ResourceRecord | undefined;
}

/** One queued change of a data product (resource null) or of one of its resources. */
export interface Transition {
  resource: string | null;
  actor?: string;
  /** Pure: throws a domain error (a 409 of fencing, a 404) to refuse the change. */
  decide(records: RecordsView, now: string): Decision<DataProductRecord | ResourceRecord>;
}

export interface TransitionResult {
  record: DataProductRecord | ResourceRecord;
  changed: boolean;
}

/** What became of one transition of the batch; `deferred` ones wait for the next batch. */
export type Outcome =
  | { kind: 'done'; result: TransitionResult }
  | { kind: 'refused'; error: unknown }
  | { kind: 'deferred' };

/** A record the batch changed: its last state, and the revision its stored item had when the batch read it. */
export interface TouchedRecord {
  resource: string | null;
  record: DataProductRecord | ResourceRecord;
  expectedRevision: number;
}

export interface DecidedBatch {
  /** Consecutive from head + 1: stored together as one history item. */
  entries: HistoryEntry[];
  /** One per transition, in order. */
  outcomes: Outcome[];
  touched: TouchedRecord[];
  /** The records as the batch leaves them: what the next batch decides on if nobody else wrote meanwhile. */
  after: StoredRecords;
}

/** Bounds one history item well under DynamoDB's 400 KB item limit. */
export interface BatchLimits {
  maxEntries: number;
  maxBytes: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxEntries: 50, maxBytes: 256 * 1024 };

/** The records read before the batch: the data product and every resource one of its transitions names. */
export interface StoredRecords {
  dataProduct: DataProductRecord | undefined;
  resources: ReadonlyMap<string, ResourceRecord | undefined>;
}

/**
 * Decides a batch of transitions in order, in memory: each sees the records as
 * the ones before it left them. A refused transition or an idempotent replay
 * settles alone; every change gets the next sequence number after `head`. Once
 * the item would outgrow `limits`, the rest is deferred to the next batch.
 */
export function decideBatch(
  transitions: readonly Transition[],
  stored: StoredRecords,
  head: number,
  now: string,
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): DecidedBatch {
  let dataProduct = stored.dataProduct;
  const resources = new Map(stored.resources);
  const view: RecordsView = {
    get dataProduct() {
      return dataProduct;
    },
    resource: (name) => resources.get(name),
  };
  const entries: HistoryEntry[] = [];
  const outcomes: Outcome[] = [];
  const touched = new Map<string | null, TouchedRecord>();
  let bytes = 0;
  for (const transition of transitions) {
    if (entries.length >= limits.maxEntries) {
      outcomes.push({ kind: 'deferred' });
      continue;
    }
    let decision: Decision<DataProductRecord | ResourceRecord>;
    try {
      decision = transition.decide(view, now);
    } catch (error) {
      outcomes.push({ kind: 'refused', error });
      continue;
    }
    if (decision.kind === 'unchanged') {
      outcomes.push({ kind: 'done', result: { record: decision.record, changed: false } });
      continue;
    }
    const seq = head + entries.length + 1;
    const record = { ...decision.record, seq, revision: decision.record.revision + 1 };
    const entry = historyEntry(seq, transition, decision, record);
    // DynamoDB limits an item in UTF-8 bytes, not in string length.
    const size = Buffer.byteLength(JSON.stringify(entry));
    if (entries.length > 0 && bytes + size > limits.maxBytes) {
      // Later transitions may depend on this one: all of them wait, in order.
      outcomes.push({ kind: 'deferred' });
      for (let rest = outcomes.length; rest < transitions.length; rest += 1)
        outcomes.push({ kind: 'deferred' });
      break;
    }
    bytes += size;
    entries.push(entry);
    const before = touched.get(transition.resource)?.expectedRevision ?? decision.record.revision;
    touched.set(transition.resource, { resource: transition.resource, record, expectedRevision: before });
    if (transition.resource === null) dataProduct = record as DataProductRecord;
    else resources.set(transition.resource, record as ResourceRecord);
    outcomes.push({ kind: 'done', result: { record, changed: true } });
  }
  return { entries, outcomes, touched: [...touched.values()], after: { dataProduct, resources } };
}

function historyEntry(
  seq: number,
  transition: Transition,
  decision: Decision<DataProductRecord | ResourceRecord> & { kind: 'write' },
  record: DataProductRecord | ResourceRecord,
): HistoryEntry {
  return {
    seq,
    at: record.updatedAt,
    entity: transition.resource === null ? 'dataProduct' : 'resource',
    resource: transition.resource,
    from: decision.from,
    to: record.state,
    operationId: record.operationId,
    ...('attempt' in record ? { attempt: record.attempt } : {}),
    actor: transition.actor ?? 'unknown',
    error: record.lastError,
    ...(decision.note ? { note: decision.note } : {}),
    record,
  };
}

/**
 * The records a history item left behind, each at its last entry: what a
 * reader projects when the writer crashed before projecting them all.
 */
export function lastRecordsOf(entries: readonly HistoryEntry[]): HistoryEntry[] {
  const last = new Map<string | null, HistoryEntry>();
  for (const entry of entries) last.set(entry.resource, entry);
  return [...last.values()];
}
