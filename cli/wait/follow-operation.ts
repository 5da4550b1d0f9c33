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

/**
 * Reads the state until the data product leaves its transit state, backing
 * off from `io.poll.initialMs` to `io.poll.maxMs`; never sleeps past the deadline.
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
    try {
      last = await client.state(ref);
      failedReads = 0;
      onState(last, io.now() - start);
      if (!isTransit(last.state as LifecycleState)) {
        return { kind: 'settled', state: last, elapsedMs: io.now() - start };
      }
    } catch (error) {
      failedReads += 1;
      if (!(error instanceof ServerUnavailableError) || failedReads >= TOLERATED_FAILED_READS) throw error;
    }
    const remaining = timeoutMs - (io.now() - start);
    if (remaining <= 0) {
      if (!last) throw new ServerUnavailableError('no state could be read before the timeout');
      return { kind: 'timeout', state: last, elapsedMs: io.now() - start };
    }
    await io.sleep(Math.min(delay, remaining));
    delay = Math.min(Math.round(delay * 1.5), io.poll.maxMs);
  }
}
