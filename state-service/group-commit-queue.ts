/** What became of one queued task: a result, an error, or `deferred` to the next batch. */
export type Settlement<R> = { ok: true; value: R } | { ok: false; error: unknown } | 'deferred';

/**
 * Commits the tasks of one key together: while a batch of a key is being
 * committed, the tasks submitted for that key wait, and are then committed as
 * the next batch, all at once. Tasks of different keys never wait for each
 * other. The state service queues the transitions of one data product: they
 * all append to its one history sequence, so one conditional write per batch
 * replaces one per transition.
 */
export class GroupCommitQueue<T, R> {
  private readonly waiting = new Map<string, Array<Queued<T, R>>>();

  constructor(private readonly commit: (key: string, tasks: T[]) => Promise<Array<Settlement<R>>>) {}

  submit(key: string, task: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queued = { task, resolve, reject };
      const waiting = this.waiting.get(key);
      if (waiting) {
        waiting.push(queued);
        return;
      }
      this.waiting.set(key, [queued]);
      void this.drain(key);
    });
  }

  /** Keys with a batch running or tasks waiting. */
  get size(): number {
    return this.waiting.size;
  }

  private async drain(key: string): Promise<void> {
    for (;;) {
      const batch = this.waiting.get(key) ?? [];
      if (batch.length === 0) {
        this.waiting.delete(key);
        return;
      }
      this.waiting.set(key, []);
      let settlements: Array<Settlement<R>>;
      try {
        settlements = await this.commit(
          key,
          batch.map((queued) => queued.task),
        );
      } catch (error) {
        settlements = batch.map(() => ({ ok: false, error }));
      }
      const deferred: Array<Queued<T, R>> = [];
      for (const [index, queued] of batch.entries()) {
        const settlement = settlements[index] ?? 'deferred';
        if (settlement === 'deferred') deferred.push(queued);
        else if (settlement.ok) queued.resolve(settlement.value);
        else queued.reject(settlement.error);
      }
      // Deferred tasks were queued first: they go before anything submitted meanwhile.
      this.waiting.set(key, [...deferred, ...(this.waiting.get(key) ?? [])]);
    }
  }
}

interface Queued<T, R> {
  task: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}
