import type { DataProductRecord, HistoryEntry, ResourceRecord } from './records.js';

export interface ReplayedState {
  dataProduct: DataProductRecord | undefined;
  resources: Map<string, ResourceRecord>;
}

/**
 * Rebuilds a data product's state from its history alone: each entry carries
 * the record as it stood after the transition, so applying them in sequence
 * order yields the current state. Refuses a history with a gap.
 */
export function replayHistory(entries: readonly HistoryEntry[]): ReplayedState {
  const state: ReplayedState = { dataProduct: undefined, resources: new Map() };
  let expected = 1;
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    if (entry.seq !== expected)
      throw new Error(`history has a gap: expected entry ${expected}, found ${entry.seq}`);
    expected += 1;
    if (entry.resource === null) state.dataProduct = entry.record as DataProductRecord;
    else state.resources.set(entry.resource, entry.record as ResourceRecord);
  }
  return state;
}
