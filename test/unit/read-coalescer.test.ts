import { describe, expect, it } from 'vitest';
import { ReadCoalescer } from '../../state-service/read-coalescer.js';

/** Loads the test finishes by hand; each records the callers that had asked when it began. */
function manualLoads() {
  const asked: string[] = [];
  const loads: Array<{
    sawCallers: string[];
    finish: (value: string) => void;
    fail: (error: Error) => void;
  }> = [];
  const coalescer = new ReadCoalescer<string>();
  const read = (key: string, caller: string) => {
    asked.push(caller);
    return coalescer.read(key, () => {
      const sawCallers = [...asked];
      return new Promise<string>((resolve, reject) => {
        loads.push({ sawCallers, finish: resolve, fail: reject });
      });
    });
  };
  return { coalescer, read, loads };
}

/** A few turns of the event loop: enough for a read that may begin to have begun. */
async function turns(): Promise<void> {
  for (let i = 0; i < 3; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('ReadCoalescer', () => {
  it('gives callers of the same turn (woken by one write) one read', async () => {
    const { read, loads } = manualLoads();
    const answers = Promise.all([read('dp', 'a'), read('dp', 'b'), read('dp', 'c')]);
    await turns();
    expect(loads).toHaveLength(1);
    loads[0]?.finish('v1');
    expect(await answers).toEqual(['v1', 'v1', 'v1']);
  });

  it('never answers a caller with a read that began before it asked: it waits and shares the next one', async () => {
    const { read, loads } = manualLoads();
    const first = read('dp', 'a');
    await turns();
    expect(loads).toHaveLength(1);
    // b and c ask while a's read is in flight: it may miss a write they saw, so they get the next read.
    const later = Promise.all([read('dp', 'b'), read('dp', 'c')]);
    await turns();
    expect(loads).toHaveLength(1);
    loads[0]?.finish('v1');
    expect(await first).toBe('v1');
    await turns();
    expect(loads).toHaveLength(2);
    expect(loads[1]?.sawCallers).toEqual(['a', 'b', 'c']);
    loads[1]?.finish('v2');
    expect(await later).toEqual(['v2', 'v2']);
  });

  it('fails only the callers of a failed read, and reads again for the next', async () => {
    const { coalescer, read, loads } = manualLoads();
    const failing = read('dp', 'a');
    await turns();
    const next = read('dp', 'b');
    loads[0]?.fail(new Error('store down'));
    await expect(failing).rejects.toThrow('store down');
    await turns();
    loads[1]?.finish('v2');
    expect(await next).toBe('v2');
    await turns();
    expect(coalescer.size).toBe(0);
  });

  it('never makes one key wait for another', async () => {
    const { read, loads } = manualLoads();
    const one = read('dp-1', 'a');
    const other = read('dp-2', 'b');
    await turns();
    expect(loads).toHaveLength(2);
    loads[1]?.finish('other');
    expect(await other).toBe('other');
    loads[0]?.finish('one');
    expect(await one).toBe('one');
  });
});
