import { describe, expect, it } from 'vitest';
import { captureIo } from '../../cli/capture-io.js';
import { ServerUnavailableError } from '../../cli/cli-errors.js';
import type { DmpClient } from '../../cli/http/dmp-client.js';
import { followOperation, LONG_POLL_MS } from '../../cli/wait/follow-operation.js';
import type { PublicDataProductState } from '../../provisioner/domain/public-state.js';

const ref = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };

/** A fake clock that only moves when the CLI sleeps, and a server that answers a script of states. */
function scripted(answers: (string | Error)[]) {
  let now = 0;
  const sleeps: number[] = [];
  const io = captureIo({
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    poll: { initialMs: 100, maxMs: 400 },
  });
  let reads = 0;
  const client = {
    state: async () => {
      const answer = answers[Math.min(reads, answers.length - 1)] as string | Error;
      reads += 1;
      if (answer instanceof Error) throw answer;
      return { ...ref, state: answer, resources: [] } as unknown as PublicDataProductState;
    },
  } as unknown as DmpClient;
  return { io, client, sleeps, reads: () => reads };
}

describe('followOperation', () => {
  it('backs off between reads up to the maximum, and stops at the first settled state', async () => {
    const { io, client, sleeps } = scripted([
      'CREATING',
      'CREATING',
      'CREATING',
      'CREATING',
      'CREATING',
      'CREATED',
    ]);
    const seen: string[] = [];
    const result = await followOperation(client, ref, io, {
      timeoutMs: 60_000,
      onState: (state) => seen.push(state.state),
    });
    expect(result).toMatchObject({ kind: 'settled', state: { state: 'CREATED' }, elapsedMs: 1_213 });
    expect(sleeps).toEqual([100, 150, 225, 338, 400]);
    expect(seen).toEqual(['CREATING', 'CREATING', 'CREATING', 'CREATING', 'CREATING', 'CREATED']);
  });

  it('returns a timeout with the last state, never sleeping past the deadline', async () => {
    const { io, client, sleeps } = scripted(['UPDATING']);
    const result = await followOperation(client, ref, io, { timeoutMs: 1_000, onState: () => undefined });
    expect(result).toMatchObject({ kind: 'timeout', state: { state: 'UPDATING' }, elapsedMs: 1_000 });
    expect(sleeps.reduce((total, ms) => total + ms, 0)).toBe(1_000);
  });

  it('rides out a few failed reads (a restarting server) but not a sixth in a row', async () => {
    const down = new ServerUnavailableError('ECONNREFUSED');
    const recovering = scripted([down, down, down, 'DELETING', 'DELETED']);
    const result = await followOperation(recovering.client, ref, recovering.io, {
      timeoutMs: 60_000,
      onState: () => undefined,
    });
    expect(result).toMatchObject({ kind: 'settled', state: { state: 'DELETED' } });

    const dead = scripted([down]);
    await expect(
      followOperation(dead.client, ref, dead.io, { timeoutMs: 60_000, onState: () => undefined }),
    ).rejects.toBe(down);
    expect(dead.reads()).toBe(5);
  });

  /**
   * A server that long-polls: each answer is the next of `history` (a state
   * and its historySeq); a watch past the last one is held `waitMs` on the
   * fake clock and answered unchanged.
   */
  function longPolling(history: Array<[string, number]>) {
    let now = 0;
    const sleeps: number[] = [];
    const io = captureIo({
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      poll: { initialMs: 100, maxMs: 400 },
    });
    const watches: Array<{ changedAfter: number; waitMs: number } | undefined> = [];
    let index = 0;
    const client = {
      state: async (_ref: unknown, watch?: { changedAfter: number; waitMs: number }) => {
        watches.push(watch);
        const next = history[index];
        if (next && (!watch || next[1] > watch.changedAfter)) index += 1;
        else if (watch) now += watch.waitMs;
        const [state, historySeq] = next ?? (history.at(-1) as [string, number]);
        return { ...ref, state, historySeq, resources: [] } as unknown as PublicDataProductState;
      },
    } as unknown as DmpClient;
    return { io, client, sleeps, watches };
  }

  it('long-polls past the historySeq it has seen, without sleeping between reads', async () => {
    const { io, client, sleeps, watches } = longPolling([
      ['CREATING', 3],
      ['CREATING', 5],
      ['CREATED', 9],
    ]);
    const seen: number[] = [];
    const result = await followOperation(client, ref, io, {
      timeoutMs: 60_000,
      onState: (state) => seen.push(state.historySeq),
    });
    expect(result).toMatchObject({ kind: 'settled', state: { state: 'CREATED' } });
    expect(seen).toEqual([3, 5, 9]);
    expect(watches).toEqual([
      undefined,
      { changedAfter: 3, waitMs: LONG_POLL_MS },
      { changedAfter: 5, waitMs: LONG_POLL_MS },
    ]);
    expect(sleeps).toEqual([]);
  });

  it('never asks the server to hold a read past the deadline', async () => {
    const { io, client, watches } = longPolling([['UPDATING', 4]]);
    const result = await followOperation(client, ref, io, { timeoutMs: 20_000, onState: () => undefined });
    expect(result).toMatchObject({ kind: 'timeout', state: { state: 'UPDATING' }, elapsedMs: 20_000 });
    expect(watches).toEqual([
      undefined,
      { changedAfter: 4, waitMs: LONG_POLL_MS },
      { changedAfter: 4, waitMs: 20_000 - LONG_POLL_MS },
    ]);
  });
});
