import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataProductRef, dataProductKey } from '../../shared/descriptor/types.js';
import { ConflictError } from '../../shared/errors.js';
import type { HistoryEntry } from '../../shared/state/records.js';
import { StateUseCases } from '../../state-service/state-use-cases.js';
import { DynamoStateStore } from '../../state-service/store/dynamo-state-store.js';
import { ensureStateTables, type StateTableNames } from '../../state-service/store/state-tables.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { resourceWrite, startDeploy } from '../support/state-writes.js';

/**
 * Group commit of the state service on real DynamoDB (dynalite): the
 * transitions of one data product queued while a batch is committed go into
 * one history item; the history still reads as one gapless sequence of
 * entries, whatever mix of batch items and old single-entry items holds it.
 */
const TABLES: StateTableNames = {
  dataProducts: 'group-dataproduct',
  resources: 'group-resource',
  history: 'group-history',
};

/** Records every history item appended; optionally crashes right after the put, before any projection. */
class RecordingStore extends DynamoStateStore {
  readonly items: HistoryEntry[][] = [];
  crashAfterAppend = false;

  override async appendHistory(ref: DataProductRef, entries: readonly HistoryEntry[]): Promise<void> {
    await super.appendHistory(ref, entries);
    this.items.push([...entries]);
    if (this.crashAfterAppend) throw new Error('crashed after the history put');
  }
}

let stack: TestStack;
let counter = 0;

beforeAll(async () => {
  stack = await startTestStack();
  await ensureStateTables(stack.dynamo, TABLES);
});
afterAll(async () => {
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
});

function freshRef(): DataProductRef {
  counter += 1;
  return { environment: 'test', domain: 'sales', name: `group-${counter}`, version: '1.0.0' };
}

async function storedItems(ref: DataProductRef): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await stack.dynamo.send(
    new QueryCommand({
      TableName: TABLES.history,
      KeyConditionExpression: 'dataProductId = :id',
      ExpressionAttributeValues: { ':id': dataProductKey(ref) },
      ConsistentRead: true,
    }),
  );
  return Items;
}

const seqs = (entries: HistoryEntry[]) => entries.map((entry) => entry.seq);
const upTo = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

describe('group commit of one data product’s transitions', () => {
  it('commits a burst of concurrent transitions in fewer history items than transitions, gapless and in order', async () => {
    const ref = freshRef();
    const useCases = new StateUseCases(new DynamoStateStore(stack.dynamo, TABLES));
    const names = Array.from({ length: 16 }, (_, index) => `r${index}`);
    await startDeploy(useCases, ref, names);

    // Each resource's CREATED is queued behind its CREATING, all at once.
    const results = await Promise.all(
      names.flatMap((name) => [
        useCases.writeResource(resourceWrite(ref, name, 'CREATING')),
        useCases.writeResource(resourceWrite(ref, name, 'CREATED')),
      ]),
    );

    expect(results.every((result) => result.changed)).toBe(true);
    const items = await storedItems(ref);
    expect(items.length).toBeLessThan(1 + names.length * 2);
    const history = await useCases.history(ref, 0, 1000);
    expect(seqs(history)).toEqual(upTo(1 + names.length * 2));
    for (const name of names) {
      expect(history.filter((entry) => entry.resource === name).map((entry) => entry.to)).toEqual([
        'CREATING',
        'CREATED',
      ]);
    }
    const document = await useCases.getDataProduct(ref);
    expect(document.historySeq).toBe(1 + names.length * 2);
    expect(document.resources.map((resource) => resource.state)).toEqual(names.map(() => 'CREATED'));
    // Every state item carries the seq and revision of its last entry.
    for (const name of names) {
      const last = history.filter((entry) => entry.resource === name).at(-1);
      expect(document.resources.find((resource) => resource.name === name)?.state).toBe(last?.to);
      expect(last?.record).toMatchObject({ revision: 2 });
    }
    // A page boundary inside a batch item still yields the next entries, none twice.
    const firstPage = await useCases.history(ref, 0, 5);
    const secondPage = await useCases.history(ref, 5, 7);
    expect([...seqs(firstPage), ...seqs(secondPage)]).toEqual(upTo(12));
  });

  it('refuses a fenced transition inside a batch alone and commits the others of the batch', async () => {
    const ref = freshRef();
    const store = new RecordingStore(stack.dynamo, TABLES);
    const useCases = new StateUseCases(store);
    await startDeploy(useCases, ref, ['x0', 'x1', 'x2', 'fenced']);
    await useCases.writeResource(resourceWrite(ref, 'fenced', 'CREATING', 1));
    await useCases.writeResource(resourceWrite(ref, 'fenced', 'CREATING', 2));
    store.items.length = 0;

    // x0 starts a batch at once; the three others queue behind it and are committed as the next batch.
    const outcomes = await Promise.allSettled([
      useCases.writeResource(resourceWrite(ref, 'x0', 'CREATING')),
      useCases.writeResource(resourceWrite(ref, 'x1', 'CREATING')),
      useCases.writeResource(resourceWrite(ref, 'fenced', 'CREATED', 1)),
      useCases.writeResource(resourceWrite(ref, 'x2', 'CREATING')),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const refused = outcomes[2] as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ConflictError);
    expect((refused.reason as ConflictError).message).toMatch(/superseded/);
    expect(store.items.map((item) => item.map((entry) => [entry.seq, entry.resource]))).toEqual([
      [[4, 'x0']],
      [
        [5, 'x1'],
        [6, 'x2'],
      ],
    ]);
    const document = await useCases.getDataProduct(ref);
    expect(document.resources.find((resource) => resource.name === 'fenced')).toMatchObject({
      state: 'CREATING',
      attempt: 2,
    });
  });

  it('decides each transition of a batch on the records the ones before it left', async () => {
    const ref = freshRef();
    const store = new RecordingStore(stack.dynamo, TABLES);
    const useCases = new StateUseCases(store);
    await startDeploy(useCases, ref, ['a', 'b']);
    store.items.length = 0;

    // b's CREATING, CREATED and a replay of CREATED land in one batch: the replay sees CREATED and is unchanged.
    const results = await Promise.all([
      useCases.writeResource(resourceWrite(ref, 'a', 'CREATING')),
      useCases.writeResource(resourceWrite(ref, 'b', 'CREATING')),
      useCases.writeResource(resourceWrite(ref, 'b', 'CREATED')),
      useCases.writeResource(resourceWrite(ref, 'b', 'CREATED')),
    ]);

    expect(results.map((result) => result.changed)).toEqual([true, true, true, false]);
    expect(store.items.map((item) => item.map((entry) => [entry.resource, entry.to]))).toEqual([
      [['a', 'CREATING']],
      [
        ['b', 'CREATING'],
        ['b', 'CREATED'],
      ],
    ]);
    expect(results[3]?.record).toMatchObject({ state: 'CREATED', seq: 4, revision: 2 });
  });

  it('still reads history items written one entry each, before group commits, and appends after them', async () => {
    const ref = freshRef();
    const useCases = new StateUseCases(new DynamoStateStore(stack.dynamo, TABLES));
    await startDeploy(useCases, ref, ['old', 'new1', 'new2']);
    const [first] = await useCases.history(ref, 0, 10);
    // Rewrite the data product's history as the old format: one flat item per entry.
    const { record: dataProduct } = first as HistoryEntry;
    const oldResource = {
      dataProduct: { environment: ref.environment, domain: ref.domain, name: ref.name, version: ref.version },
      name: 'old',
      kind: 'outputPort' as const,
      technology: 'gated',
      state: 'CREATING' as const,
      operationId: 'op-1',
      attempt: 1,
      lastError: null,
      info: null,
      applied: null,
      createdAt: dataProduct.createdAt,
      updatedAt: dataProduct.updatedAt,
      seq: 2,
      revision: 1,
    };
    const oldEntry: HistoryEntry = {
      seq: 2,
      at: oldResource.updatedAt,
      entity: 'resource',
      resource: 'old',
      from: 'NONE',
      to: 'CREATING',
      operationId: 'op-1',
      attempt: 1,
      actor: 'unknown',
      error: null,
      record: oldResource,
    };
    await stack.dynamo.send(
      new PutCommand({
        TableName: TABLES.history,
        Item: { dataProductId: dataProductKey(ref), ...(first as HistoryEntry) },
      }),
    );
    // The old entry 2 is in the history but not projected: as a crashed writer of the old code left it.
    await stack.dynamo.send(
      new PutCommand({
        TableName: TABLES.history,
        Item: { dataProductId: dataProductKey(ref), ...oldEntry },
      }),
    );

    const caughtUp = await useCases.getDataProduct(ref);
    expect(caughtUp.historySeq).toBe(2);
    expect(caughtUp.resources.map((resource) => [resource.name, resource.state])).toEqual([
      ['old', 'CREATING'],
    ]);
    await Promise.all([
      useCases.writeResource(resourceWrite(ref, 'new1', 'CREATING')),
      useCases.writeResource(resourceWrite(ref, 'new2', 'CREATING')),
      useCases.writeResource(resourceWrite(ref, 'old', 'CREATED')),
    ]);

    const history = await useCases.history(ref, 0, 100);
    expect(history.map((entry) => [entry.seq, entry.resource, entry.to])).toEqual([
      [1, null, 'CREATING'],
      [2, 'old', 'CREATING'],
      [3, 'new1', 'CREATING'],
      [4, 'new2', 'CREATING'],
      [5, 'old', 'CREATED'],
    ]);
    expect(seqs(await useCases.history(ref, 1, 2))).toEqual([2, 3]);
    const items = await storedItems(ref);
    expect(items.filter((item) => Array.isArray(item.entries)).length).toBeLessThan(3);
    expect(items.filter((item) => !Array.isArray(item.entries)).map((item) => item.seq)).toEqual([1, 2]);
  });

  it('projects every record of a history item a writer crashed after putting, on the next read and the next write', async () => {
    for (const next of ['read', 'write'] as const) {
      const ref = freshRef();
      const store = new RecordingStore(stack.dynamo, TABLES);
      const crashing = new StateUseCases(store);
      await startDeploy(crashing, ref, ['a', 'b', 'c']);
      await crashing.writeResource(resourceWrite(ref, 'a', 'CREATING'));
      store.crashAfterAppend = true;
      // A replay (unchanged, nothing appended) is committed alone while the four others queue: they are one
      // batch, a's CREATED, b's CREATING and CREATED, c's CREATING, put to the history and never projected.
      const crashed = await Promise.allSettled([
        crashing.writeResource(resourceWrite(ref, 'a', 'CREATING')),
        crashing.writeResource(resourceWrite(ref, 'a', 'CREATED')),
        crashing.writeResource(resourceWrite(ref, 'b', 'CREATING')),
        crashing.writeResource(resourceWrite(ref, 'b', 'CREATED')),
        crashing.writeResource(resourceWrite(ref, 'c', 'CREATING')),
      ]);
      expect(crashed.map((outcome) => outcome.status)).toEqual([
        'fulfilled',
        'rejected',
        'rejected',
        'rejected',
        'rejected',
      ]);
      expect(store.items.at(-1)?.map((entry) => entry.seq)).toEqual([3, 4, 5, 6]);

      const replica = new StateUseCases(new DynamoStateStore(stack.dynamo, TABLES));
      if (next === 'write') {
        const result = await replica.writeResource(resourceWrite(ref, 'c', 'CREATED'));
        expect(result.record).toMatchObject({ state: 'CREATED', seq: 7, revision: 2 });
      }
      const document = await replica.getDataProduct(ref);
      expect(document.resources.map((resource) => [resource.name, resource.state])).toEqual([
        ['a', 'CREATED'],
        ['b', 'CREATED'],
        ['c', next === 'write' ? 'CREATED' : 'CREATING'],
      ]);
      expect(document.historySeq).toBe(next === 'write' ? 7 : 6);
      expect(seqs(await replica.history(ref, 0, 100))).toEqual(upTo(next === 'write' ? 7 : 6));
    }
  });

  it('a replica deciding on the state it remembers from its last batch sees what another replica wrote since', async () => {
    const ref = freshRef();
    const first = new StateUseCases(new DynamoStateStore(stack.dynamo, TABLES));
    const second = new StateUseCases(new DynamoStateStore(stack.dynamo, TABLES));
    await startDeploy(first, ref, ['x', 'y', 'z']);
    await first.writeResource(resourceWrite(ref, 'y', 'CREATING'));
    await second.writeResource(resourceWrite(ref, 'x', 'CREATING'));

    // Remembered, x does not exist and NONE → CREATED is refused; read afresh, CREATING → CREATED is allowed.
    const created = await first.writeResource(resourceWrite(ref, 'x', 'CREATED'));
    expect(created.record).toMatchObject({ state: 'CREATED', seq: 4, revision: 2 });
    // Remembered, z does not exist: its CREATING goes to a put at a taken seq, and is retried after x.
    await second.writeResource(resourceWrite(ref, 'z', 'CREATING'));
    // A replay of what the other replica wrote is answered unchanged, not written twice.
    const replay = await first.writeResource(resourceWrite(ref, 'z', 'CREATING'));
    expect(replay.changed).toBe(false);

    const history = await second.history(ref, 0, 100);
    expect(history.map((entry) => [entry.seq, entry.resource, entry.to])).toEqual([
      [1, null, 'CREATING'],
      [2, 'y', 'CREATING'],
      [3, 'x', 'CREATING'],
      [4, 'x', 'CREATED'],
      [5, 'z', 'CREATING'],
    ]);
    const document = await first.getDataProduct(ref);
    expect(document.resources.map((resource) => [resource.name, resource.state])).toEqual([
      ['x', 'CREATED'],
      ['y', 'CREATING'],
      ['z', 'CREATING'],
    ]);
  });
});
