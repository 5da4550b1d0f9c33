import { describe, expect, it } from 'vitest';
import { GroupCommitQueue, type Settlement } from '../../state-service/group-commit-queue.js';

/** A commit the test finishes by hand, recording each batch it was given. */
function manualCommits() {
  const batches: Array<{ key: string; tasks: string[] }> = [];
  const finishers: Array<(settlements: Array<Settlement<string>>) => void> = [];
  const queue = new GroupCommitQueue<string, string>((key, tasks) => {
    batches.push({ key, tasks });
    return new Promise((resolve) => finishers.push(resolve));
  });
  return {
    queue,
    batches,
    finish: (index: number, settlements: Array<Settlement<string>>) => finishers[index]?.(settlements),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommitQueue', () => {
  it('commits what was submitted for a key while its batch ran as the next batch', async () => {
    const { queue, batches, finish } = manualCommits();
    const first = queue.submit('k', 'a');
    const rest = [queue.submit('k', 'b'), queue.submit('k', 'c')];
    await tick();
    expect(batches.map((batch) => batch.tasks)).toEqual([['a']]);

    finish(0, [{ ok: true, value: 'A' }]);
    await expect(first).resolves.toBe('A');
    await tick();
    expect(batches.map((batch) => batch.tasks)).toEqual([['a'], ['b', 'c']]);

    finish(1, [
      { ok: true, value: 'B' },
      { ok: false, error: new Error('refused') },
    ]);
    await expect(rest[0]).resolves.toBe('B');
    await expect(rest[1]).rejects.toThrow('refused');
    await tick();
    expect(queue.size).toBe(0);
    // Once drained, the next submission starts a batch at once.
    void queue.submit('k', 'd');
    expect(batches.map((batch) => batch.tasks)).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('never makes one key wait for another', async () => {
    const { queue, batches } = manualCommits();
    void queue.submit('k', 'a');
    void queue.submit('other', 'x');
    await tick();
    expect(batches.map((batch) => [batch.key, batch.tasks])).toEqual([
      ['k', ['a']],
      ['other', ['x']],
    ]);
  });

  it('puts deferred tasks first in the next batch, before those submitted meanwhile', async () => {
    const { queue, batches, finish } = manualCommits();
    void queue.submit('k', 'a');
    const b = queue.submit('k', 'b');
    const c = queue.submit('k', 'c');
    finish(0, [{ ok: true, value: 'A' }]);
    await tick();
    void queue.submit('k', 'd');
    finish(1, [{ ok: true, value: 'B' }, 'deferred']);
    await expect(b).resolves.toBe('B');
    await tick();
    expect(batches.map((batch) => batch.tasks)).toEqual([['a'], ['b', 'c'], ['c', 'd']]);
    finish(2, [
      { ok: true, value: 'C' },
      { ok: true, value: 'D' },
    ]);
    await expect(c).resolves.toBe('C');
  });

  it('rejects every task of a batch whose commit fails, and goes on with the next batch', async () => {
    const queue = new GroupCommitQueue<string, string>(async (_key, tasks) => {
      if (tasks.includes('bad')) throw new Error('store down');
      return tasks.map((task) => ({ ok: true, value: task.toUpperCase() }));
    });
    const outcomes = await Promise.allSettled([queue.submit('k', 'bad'), queue.submit('k', 'ok')]);
    expect(outcomes).toEqual([
      { status: 'rejected', reason: new Error('store down') },
      { status: 'fulfilled', value: 'OK' },
    ]);
  });
});
