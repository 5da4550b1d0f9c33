import type { PollOutcome } from './state-watch.js';

/** What the run loop waits for next. */
export type DriveEvent =
  /** A dispatch was answered: what it unblocks may start, and its outcome may already be known. */
  | 'dispatch-settled'
  /** A poll answered: the pause before the next one is set from what it found. */
  | 'poll-answered'
  /** The pause ran out with nothing in flight to poll for. */
  | 'idle';

export interface PollTiming {
  /**
   * First state check after a dispatch, and the pause between long-polls (to gather a burst of writes
   * into one answer); while plain checks find nothing, the pause doubles up to maxDelayMs.
   */
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * When a run polls the state service: after a pause that resets when a poll
 * settles something and doubles while polls find nothing, with at most one
 * poll in progress, woken early by every dispatch that is answered.
 */
export class PollSchedule {
  private wakeUp = signal();
  private delay: number;
  private nextPollAt: number;
  private polling?: Promise<PollOutcome>;
  /** Called when a dispatch is answered; wakes the run if it waits. */
  readonly wake = () => this.wakeUp.fire();

  constructor(
    private readonly timing: PollTiming,
    private readonly clock: () => number,
  ) {
    this.delay = timing.initialDelayMs;
    this.nextPollAt = clock() + this.delay;
  }

  /** Waits for the next event, starting a poll (with `poll`) when one is due and work is in flight. */
  async next(inFlight: boolean, poll: () => Promise<PollOutcome>): Promise<DriveEvent> {
    if (!this.polling) {
      const timer = sleep(Math.max(0, this.nextPollAt - this.clock()));
      const reason = await Promise.race([this.wakeUp.promise.then(() => 'woken' as const), timer.promise]);
      timer.cancel();
      if (reason === 'timer' && !inFlight) {
        this.nextPollAt = this.clock() + this.delay;
        return 'idle';
      }
      // Not awaited alone: a dispatch answered meanwhile must still start what it unblocks.
      if (reason === 'timer') this.polling = poll();
    }
    if (this.polling) {
      const answered = this.polling.then(() => 'answered' as const);
      if ((await Promise.race([this.wakeUp.promise.then(() => 'woken' as const), answered])) === 'answered') {
        const outcome = await this.polling;
        this.polling = undefined;
        // An answer that settled nothing (a timeout, or only writes of work starting) backs off the pause
        // before the next look; the long-poll then answers at once if anything landed meanwhile.
        this.delay =
          outcome === 'changed'
            ? this.timing.initialDelayMs
            : Math.min(this.delay * 2, this.timing.maxDelayMs);
        this.nextPollAt = this.clock() + this.delay;
        return 'poll-answered';
      }
    }
    this.wakeUp = signal();
    return 'dispatch-settled';
  }

  /** New work and no version to long-poll past: check on it soon. */
  soon(): void {
    this.delay = this.timing.initialDelayMs;
    this.nextPollAt = Math.min(this.nextPollAt, this.clock() + this.delay);
  }
}

function sleep(ms: number): { promise: Promise<'timer'>; cancel: () => void } {
  let timeout: NodeJS.Timeout | undefined;
  const promise = new Promise<'timer'>((resolve) => {
    timeout = setTimeout(() => resolve('timer'), ms);
  });
  return { promise, cancel: () => clearTimeout(timeout) };
}

function signal(): { promise: Promise<void>; fire: () => void } {
  let fire: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
}
