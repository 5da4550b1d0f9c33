import type { PublicDataProductState } from '../../provisioner/domain/public-state.js';
import type { DataProductRef } from '../../shared/descriptor/types.js';
import { isTransit, type LifecycleState } from '../../shared/state/lifecycle.js';
import { ServerUnavailableError } from '../cli-errors.js';
import type { CliIo } from '../cli-io.js';
import type { DmpClient } from '../http/dmp-client.js';

export interface FollowOptions {
  timeoutMs: number;
  /** Called after every read, with the time since the wait began. */
  onState(state: PublicDataProductState, elapsedMs: number): void;
}

export type FollowResult =
  | { kind: 'settled'; state: PublicDataProductState; elapsedMs: number }
  | { kind: 'timeout'; state: PublicDataProductState; elapsedMs: number };

/** A restarting provisioner should not fail a pipeline: this many failed reads in a row, then give up. */
const TOLERATED_FAILED_READS = 5;

/** Longest the server is asked to hold one read (its limit is 20 s; the request timeout is 30 s). */
export const LONG_POLL_MS = 15_000;

/** How long a read may outlive the deadline, so that an answer already on its way is still seen. */
const READ_GRACE_MS = 2_000;
/** Longest wait for an answer beyond the time the server was asked to hold the read. */
const READ_LIMIT_MS = 15_000;

/**
 * Reads the state until the data product leaves its transit state. Each read
 * after the first is a long-poll past the `historySeq` already seen, so each
 * change is shown as it happens; a server that sends no `historySeq` (older
 * than long-polls) is polled instead, backing off from `io.poll.initialMs` to
 * `io.poll.maxMs`, as after a failed read. Never waits past the deadline.
 */
export async function followOperation(
  client: DmpClient,
  ref: DataProductRef,
  io: CliIo,
  { timeoutMs, onState }: FollowOptions,
): Promise<FollowResult> {
  const start = io.now();
  let delay = io.poll.initialMs;
  let failedReads = 0;
  let last: PublicDataProductState | undefined;
  for (;;) {
    const remaining = timeoutMs - (io.now() - start);
    const watch =
      last?.historySeq !== undefined && failedReads === 0 && remaining > 0
        ? { changedAfter: last.historySeq, waitMs: Math.min(LONG_POLL_MS, remaining) }
        : undefined;
    try {
      // A server that hangs must not hold the CLI past --timeout: the read ends a moment after it.
      const readMs = Math.min(Math.max(remaining, 0), (watch?.waitMs ?? 0) + READ_LIMIT_MS) + READ_GRACE_MS;
      last = await client.state(ref, watch, readMs);
      failedReads = 0;
      onState(last, io.now() - start);
      if (!isTransit(last.state as LifecycleState)) {
        return { kind: 'settled', state: last, elapsedMs: io.now() - start };
      }
    } catch (error) {
      failedReads += 1;
      if (!(error instanceof ServerUnavailableError) || failedReads >= TOLERATED_FAILED_READS) throw error;
    }
    const left = timeoutMs - (io.now() - start);
    if (left <= 0) {
      if (!last) throw new ServerUnavailableError('no state could be read before the timeout');
      return { kind: 'timeout', state: last, elapsedMs: io.now() - start };
    }
    // The next read waits on the server: no pause before it.
    if (last?.historySeq !== undefined && failedReads === 0) continue;
    await io.sleep(Math.min(delay, left));
    delay = Math.min(Math.round(delay * 1.5), io.poll.maxMs);
  }
}
