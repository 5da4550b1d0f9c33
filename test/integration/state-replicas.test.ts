import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataProductRef, dataProductKey } from '../../shared/descriptor/types.js';
import type { HistoryEntry } from '../../shared/state/records.js';
import { StateUseCases } from '../../state-service/state-use-cases.js';
import { DynamoStateStore } from '../../state-service/store/dynamo-state-store.js';
import { ensureStateTables, type StateTableNames } from '../../state-service/store/state-tables.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { resourceWrite, startDeploy } from '../support/state-writes.js';

/**
 * Two state-service replicas on the same tables, each taking a burst of
 * transitions of one data product at once: each replica commits its queued
 * transitions in batches (one history item each) and, within a burst, trusts
 * the history head it wrote last, so this proves the other replica's writes
 * are never lost or overwritten by those shortcuts.
 */
const TABLES: StateTableNames = {
  dataProducts: 'replicas-dataproduct',
  resources: 'replicas-resource',
  history: 'replicas-history',
};
const ref = { environment: 'test', domain: 'sales', name: 'replicated', version: '1.0.0' };
const NAMES = Array.from({ length: 12 }, (_, index) => `r${index}`);

/** A store that lets a test act right after a history item is appended, before it is projected. */
class InterferingStore extends DynamoStateStore {
  afterAppend?: (entries: readonly HistoryEntry[]) => Promise<void>;

  override async appendHistory(ref: DataProductRef, entries: readonly HistoryEntry[]): Promise<void> {
    await super.appendHistory(ref, entries);
    await this.afterAppend?.(entries);
  }
}

let stack: TestStack;
let replicas: StateUseCases[];

beforeAll(async () => {
  stack = await startTestStack();
  await ensureStateTables(stack.dynamo, TABLES);
  replicas = [0, 1].map(() => new StateUseCases(new DynamoStateStore(stack.dynamo, TABLES)));
});
afterAll(async () => {
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
});

describe('two replicas writing bursts of one data product', () => {
  it('keep one gapless history and projections equal to each resource’s last entry', async () => {
    await startDeploy(replicas[0] as StateUseCases, ref, NAMES);
    const write = (replica: number, name: string, state: 'CREATING' | 'CREATED') =>
      replicas[replica]?.writeResource({
        ...resourceWrite(ref, name, state),
        ...(state === 'CREATED' ? { info: { by: replica } } : {}),
      });
    // Each resource is moved by the replica of its parity, all at once: both replicas race on one history.
    await Promise.all(NAMES.map((name, index) => write(index % 2, name, 'CREATING')));
    await Promise.all(NAMES.map((name, index) => write(index % 2, name, 'CREATED')));

    const history = await replicas[0]?.history(ref, 0, 1000);
    expect(history?.map((entry) => entry.seq)).toEqual(
      Array.from({ length: 1 + NAMES.length * 2 }, (_, index) => index + 1),
    );
    // Each replica committed its queued transitions in batches: fewer history items than entries.
    const { Items = [] } = await stack.dynamo.send(
      new QueryCommand({
        TableName: TABLES.history,
        KeyConditionExpression: 'dataProductId = :id',
        ExpressionAttributeValues: { ':id': dataProductKey(ref) },
        ConsistentRead: true,
      }),
    );
    expect(Items.length).toBeLessThan(1 + NAMES.length * 2);
    const document = await replicas[1]?.getDataProduct(ref);
    expect(document?.historySeq).toBe(1 + NAMES.length * 2);
    for (const [index, name] of NAMES.entries()) {
      const transitions = history?.filter((entry) => entry.resource === name).map((entry) => entry.to);
      expect(transitions).toEqual(['CREATING', 'CREATED']);
      expect(document?.resources.find((resource) => resource.name === name)).toMatchObject({
        state: 'CREATED',
        info: { by: index % 2 },
      });
    }
  });

  it('a replica whose burst trusts a head another replica moved past retries on fresh reads and loses nothing', async () => {
    const other = { ...ref, name: 'interleaved' };
    const store = new InterferingStore(stack.dynamo, TABLES);
    const first = new StateUseCases(store);
    const second = replicas[1] as StateUseCases;
    await startDeploy(first, other, ['a', 'b', 'c']);
    // While the first replica's burst (a, then c) is open, the second writes b right after a's append.
    store.afterAppend = async (entries) => {
      if (!entries.some((entry) => entry.resource === 'a')) return;
      store.afterAppend = undefined;
      await second.writeResource(resourceWrite(other, 'b', 'CREATING'));
    };
    await Promise.all([
      first.writeResource(resourceWrite(other, 'a', 'CREATING')),
      first.writeResource(resourceWrite(other, 'c', 'CREATING')),
    ]);

    const history = await second.history(other, 0, 100);
    expect(history.map((entry) => [entry.seq, entry.resource])).toEqual([
      [1, null],
      [2, 'a'],
      [3, 'b'],
      [4, 'c'],
    ]);
    const document = await second.getDataProduct(other);
    expect(document.resources.map((resource) => [resource.name, resource.state])).toEqual([
      ['a', 'CREATING'],
      ['b', 'CREATING'],
      ['c', 'CREATING'],
    ]);
  });
});
