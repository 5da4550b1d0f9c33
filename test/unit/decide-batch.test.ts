import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/errors.js';
import type { DataProductRecord, ResourceRecord, ResourceWrite } from '../../shared/state/records.js';
import {
  decideBatch,
  lastRecordsOf,
  type StoredRecords,
  type Transition,
} from '../../state-service/domain/decide-batch.js';
import { decideResourceWrite } from '../../state-service/domain/decide-writes.js';

const NOW = '2026-11-27T00:00:00.000Z';

const dataProduct: DataProductRecord = {
  environment: 'test',
  domain: 'sales',
  name: 'orders',
  version: '1.0.0',
  state: 'CREATING',
  operationId: 'op-1',
  descriptor: null,
  operation: null,
  lastError: null,
  rootCauses: [],
  createdAt: NOW,
  updatedAt: NOW,
  seq: 1,
  revision: 1,
};

function write(name: string, state: 'CREATING' | 'CREATED', attempt = 1): Transition {
  const request: ResourceWrite = {
    environment: 'test',
    domain: 'sales',
    dataProduct: 'orders',
    version: '1.0.0',
    name,
    kind: 'outputPort',
    technology: 'gated',
    state,
    operationId: 'op-1',
    attempt,
    actor: 'tester',
  };
  return {
    resource: name,
    actor: 'tester',
    decide: (records, now) => decideResourceWrite(records.dataProduct, records.resource(name), request, now),
  };
}

const stored = (resources: Array<[string, ResourceRecord | undefined]> = []): StoredRecords => ({
  dataProduct,
  resources: new Map(resources),
});

describe('decideBatch', () => {
  it('numbers the changes consecutively after the head, each deciding on the records the ones before it left', () => {
    const batch = decideBatch(
      [write('a', 'CREATING'), write('a', 'CREATED'), write('b', 'CREATING')],
      stored(),
      7,
      NOW,
    );

    expect(batch.entries.map((entry) => [entry.seq, entry.resource, entry.from, entry.to])).toEqual([
      [8, 'a', 'NONE', 'CREATING'],
      [9, 'a', 'CREATING', 'CREATED'],
      [10, 'b', 'NONE', 'CREATING'],
    ]);
    expect(batch.entries.map((entry) => entry.record.revision)).toEqual([1, 2, 1]);
    // One projection per record: its last state, over the revision stored before the batch.
    expect(
      batch.touched.map((touched) => [touched.resource, touched.record.seq, touched.expectedRevision]),
    ).toEqual([
      ['a', 9, 0],
      ['b', 10, 0],
    ]);
  });

  it('refuses a fenced transition alone and settles a replay alone, without a history entry for either', () => {
    const current = decideResourceWrite(
      dataProduct,
      undefined,
      {
        environment: 'test',
        domain: 'sales',
        dataProduct: 'orders',
        version: '1.0.0',
        name: 'f',
        kind: 'outputPort',
        technology: 'gated',
        state: 'CREATING',
        operationId: 'op-1',
        attempt: 2,
      },
      NOW,
    );
    const fenced = { ...current.record, seq: 2, revision: 3 };

    const batch = decideBatch(
      [write('x', 'CREATING'), write('f', 'CREATED', 1), write('f', 'CREATING', 2), write('y', 'CREATING')],
      stored([['f', fenced]]),
      2,
      NOW,
    );

    expect(batch.outcomes.map((outcome) => outcome.kind)).toEqual(['done', 'refused', 'done', 'done']);
    expect((batch.outcomes[1] as { error: unknown }).error).toBeInstanceOf(ConflictError);
    expect(batch.outcomes[2]).toMatchObject({ kind: 'done', result: { changed: false, record: fenced } });
    expect(batch.entries.map((entry) => [entry.seq, entry.resource])).toEqual([
      [3, 'x'],
      [4, 'y'],
    ]);
  });

  it('defers every transition after the item is full, keeping their order for the next batch', () => {
    const byCount = decideBatch(
      [write('a', 'CREATING'), write('b', 'CREATING'), write('c', 'CREATING')],
      stored(),
      0,
      NOW,
      { maxEntries: 2, maxBytes: 1_000_000 },
    );
    expect(byCount.outcomes.map((outcome) => outcome.kind)).toEqual(['done', 'done', 'deferred']);

    const bySize = decideBatch(
      [write('a', 'CREATING'), write('b', 'CREATING'), write('c', 'CREATING')],
      stored(),
      0,
      NOW,
      { maxEntries: 50, maxBytes: 1 },
    );
    // The first change always fits, however large: a batch never stalls.
    expect(bySize.outcomes.map((outcome) => outcome.kind)).toEqual(['done', 'deferred', 'deferred']);
    expect(bySize.entries.map((entry) => entry.resource)).toEqual(['a']);
  });

  it('measures an item in UTF-8 bytes, as DynamoDB limits it, not in characters', () => {
    const wide = (name: string) => write(`${name}${'名'.repeat(200)}`, 'CREATING');
    const alone = decideBatch([wide('a')], stored(), 0, NOW);
    const characters = JSON.stringify(alone.entries[0]).length;
    // Room for two entries counted in characters, not for two counted in bytes (each 名 is 3 bytes).
    const batch = decideBatch([wide('a'), wide('b')], stored(), 0, NOW, {
      maxEntries: 50,
      maxBytes: 2 * characters + 100,
    });
    expect(batch.outcomes.map((outcome) => outcome.kind)).toEqual(['done', 'deferred']);
  });

  it('names each record of a history item once, at its last entry', () => {
    const batch = decideBatch(
      [write('a', 'CREATING'), write('b', 'CREATING'), write('a', 'CREATED')],
      stored(),
      0,
      NOW,
    );
    expect(lastRecordsOf(batch.entries).map((entry) => [entry.resource, entry.seq])).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
  });
});
