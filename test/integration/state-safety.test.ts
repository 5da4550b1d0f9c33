import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataProductRef } from '../../shared/descriptor/types.js';
import { ConflictError } from '../../shared/errors.js';
import type { HistoryEntry, ResourceRecord } from '../../shared/state/records.js';
import { StateUseCases } from '../../state-service/state-use-cases.js';
import { DynamoStateStore } from '../../state-service/store/dynamo-state-store.js';
import { ensureStateTables, type StateTableNames } from '../../state-service/store/state-tables.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { resourceWrite, startDeploy } from '../support/state-writes.js';

/**
 * The conditions the state service's safety rests on, each met by a test that
 * fails when the condition is removed from DynamoStateStore (checked by removing
 * each once): the history put's `attribute_not_exists(seq)`, the projections'
 * `revision = :revision`, and the lease's claim, renew and release conditions.
 * Two StateUseCases on separate stores stand for two state-service replicas;
 * hooks in the store let a test act between one replica's writes, so every race
 * is forced, not hoped for.
 */
const TABLES: StateTableNames = {
  dataProducts: 'safety-dataproduct',
  resources: 'safety-resource',
  history: 'safety-history',
};

let stack: TestStack;
let counter = 0;
const freshRef = (): DataProductRef => ({
  environment: 'test',
  domain: 'sales',
  name: `safety-${++counter}`,
  version: '1.0.0',
});

/** A replica's store that can stop between its history append and its projections, or before the append. */
class HookedStore extends DynamoStateStore {
  beforeAppend?: () => Promise<void>;
  afterAppend?: (entries: readonly HistoryEntry[]) => Promise<void>;
  beforeResourcePut?: (record: ResourceRecord) => Promise<void>;
  /** Runs after every lease read, before the caller acts on it. */
  afterLeaseRead?: () => Promise<void>;

  override async getLease(ref: DataProductRef) {
    const lease = await super.getLease(ref);
    await this.afterLeaseRead?.();
    return lease;
  }

  override async appendHistory(ref: DataProductRef, entries: readonly HistoryEntry[]): Promise<void> {
    const before = this.beforeAppend;
    this.beforeAppend = undefined;
    await before?.();
    await super.appendHistory(ref, entries);
    const after = this.afterAppend;
    this.afterAppend = undefined;
    await after?.(entries);
  }

  override async putResource(record: ResourceRecord, expectedRevision: number): Promise<void> {
    const before = this.beforeResourcePut;
    this.beforeResourcePut = undefined;
    await before?.(record);
    await super.putResource(record, expectedRevision);
  }
}

/** A promise a test resolves by hand: the event another step waits on. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

beforeAll(async () => {
  stack = await startTestStack();
  await ensureStateTables(stack.dynamo, TABLES);
});
afterAll(async () => {
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
});

const replica = (clock?: () => Date) => {
  const store = new HookedStore(stack.dynamo, TABLES);
  return { store, useCases: new StateUseCases(store, clock) };
};

describe('the history condition (attribute_not_exists(seq))', () => {
  it('two replicas appending at the same sequence: the later one loses, retries, and both transitions stay in the history', async () => {
    const ref = freshRef();
    const first = replica();
    const second = replica();
    await startDeploy(second.useCases, ref, ['a', 'b']);

    // The first replica has read the head (seq 1) and decided `a`; it stops just before its put at seq 2 ...
    const reached = gate();
    const resume = gate();
    first.store.beforeAppend = async () => {
      reached.open();
      await resume.opened;
    };
    const slow = first.useCases.writeResource(resourceWrite(ref, 'a', 'CREATING'));
    await reached.opened;
    // ... while the second replica takes seq 2 for `b`.
    await second.useCases.writeResource(resourceWrite(ref, 'b', 'CREATING'));
    resume.open();
    await slow;

    // Without the condition the first put overwrites seq 2 and `b`'s transition is gone from the history.
    const history = await second.useCases.history(ref, 0, 100);
    expect(history.map((entry) => [entry.seq, entry.resource, entry.to])).toEqual([
      [1, null, 'CREATING'],
      [2, 'b', 'CREATING'],
      [3, 'a', 'CREATING'],
    ]);
  });
});

describe('the projection condition (revision = :revision)', () => {
  it('a stale projection landing after a newer one is refused: the state item shows the newest transition', async () => {
    const ref = freshRef();
    const slow = replica();
    const fast = replica();
    await startDeploy(fast.useCases, ref, ['a']);
    await fast.useCases.writeResource(resourceWrite(ref, 'a', 'CREATING', 1));

    // The slow replica re-dispatches `a` as attempt 2, appends it and stops before projecting it ...
    const appended = gate();
    const resume = gate();
    slow.store.beforeResourcePut = async () => {
      appended.open();
      await resume.opened;
    };
    const stale = slow.useCases.writeResource(resourceWrite(ref, 'a', 'CREATING', 2));
    await appended.opened;
    // ... the fast replica catches that entry up and moves `a` on to CREATED ...
    await fast.useCases.writeResource({ ...resourceWrite(ref, 'a', 'CREATED', 2), info: { newest: true } });
    // ... then the slow replica's projection of CREATING lands, on a revision that is no longer current.
    resume.open();
    await stale;

    const stored = await new DynamoStateStore(stack.dynamo, TABLES).getResource(ref, 'a');
    expect(stored).toMatchObject({ state: 'CREATED', info: { newest: true } });
    const history = await fast.useCases.history(ref, 0, 100);
    expect(history.at(-1)).toMatchObject({ resource: 'a', to: 'CREATED', seq: stored?.seq });
  });
});

describe('the lease conditions', () => {
  const T0 = Date.parse('2026-01-01T00:00:00.000Z');
  const LEASE = { operationId: 'op-1', ttlMs: 30_000 };

  /** Two replicas sharing one hand-set clock. */
  function replicasAt() {
    let now = T0;
    const clock = () => new Date(now);
    const first = replica(clock);
    const second = replica(clock);
    return {
      one: first.useCases,
      two: second.useCases,
      stores: [first.store, second.store],
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  it('a lease held and unexpired is not claimed by another owner, and stays its holder’s', async () => {
    const ref = freshRef();
    const { one, two } = replicasAt();
    await startDeploy(one, ref, ['a']);
    await one.claimLease(ref, { ...LEASE, owner: 'provisioner-a' });

    await expect(two.claimLease(ref, { ...LEASE, owner: 'provisioner-b' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await two.getDataProduct(ref)).lease).toMatchObject({ owner: 'provisioner-a' });
  });

  it('an expired lease is taken over; its old holder can no longer renew it, and its release leaves it alone', async () => {
    const ref = freshRef();
    const { one, two, advance } = replicasAt();
    await startDeploy(one, ref, ['a']);
    await one.claimLease(ref, { ...LEASE, owner: 'provisioner-a' });

    advance(LEASE.ttlMs + 1);
    const taken = await two.claimLease(ref, { ...LEASE, owner: 'provisioner-b' });
    expect(taken).toMatchObject({
      owner: 'provisioner-b',
      expiresAt: new Date(T0 + 2 * LEASE.ttlMs + 1).toISOString(),
    });

    await expect(one.renewLease(ref, { ...LEASE, owner: 'provisioner-a' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await one.releaseLease(ref, 'provisioner-a');
    expect((await one.getDataProduct(ref)).lease).toMatchObject({ owner: 'provisioner-b' });

    await two.releaseLease(ref, 'provisioner-b');
    expect((await one.getDataProduct(ref)).lease).toBeNull();
  });

  it('the holder renews its lease until later', async () => {
    const ref = freshRef();
    const { one, advance } = replicasAt();
    await startDeploy(one, ref, ['a']);
    await one.claimLease(ref, { ...LEASE, owner: 'provisioner-a' });
    advance(10_000);
    const renewed = await one.renewLease(ref, { ...LEASE, owner: 'provisioner-a' });
    expect(renewed.expiresAt).toBe(new Date(T0 + 10_000 + LEASE.ttlMs).toISOString());
  });

  it('two provisioners claiming a free lease at once: exactly one holds it', async () => {
    const ref = freshRef();
    const { one, two, stores } = replicasAt();
    await startDeploy(one, ref, ['a']);
    // Both have read "no lease" before either puts: only the put's condition can tell them apart.
    const bothRead = gate();
    let reads = 0;
    for (const store of stores) {
      store.afterLeaseRead = async () => {
        reads += 1;
        if (reads === 2) bothRead.open();
        await bothRead.opened;
      };
    }
    const outcomes = await Promise.allSettled([
      one.claimLease(ref, { ...LEASE, owner: 'provisioner-a' }),
      two.claimLease(ref, { ...LEASE, owner: 'provisioner-b' }),
    ]);

    const winners = outcomes.flatMap((outcome) =>
      outcome.status === 'fulfilled' ? [outcome.value.owner] : [],
    );
    expect(winners).toHaveLength(1);
    const loser = outcomes.find((outcome) => outcome.status === 'rejected');
    expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect((await one.getDataProduct(ref)).lease?.owner).toBe(winners[0]);
  });
});
