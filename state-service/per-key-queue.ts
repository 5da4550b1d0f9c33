/**
 * Runs tasks that share a key one after another, tasks of different keys
 * freely. The state service queues the transitions of one data product: they
 * all append to its one history sequence, and racing for the next number
 * costs every loser a full re-read and retry. Conditional writes still decide
 * between replicas; this only stops one process from racing itself.
 */
export class PerKeyQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting. */
  get size(): number {
    return this.tails.size;
  }
}
