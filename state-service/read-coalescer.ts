/**
 * Shares reads of one key between the callers that ask for it together,
 * without ever answering a caller with a read that began before it asked:
 * callers join the read that has not begun yet; that read begins once the
 * key's read in flight (if any) has ended, so one key has at most one read in
 * flight and one gathering callers. The long-polls woken by one write, or many
 * clients reading one data product, then cost one read instead of one each.
 */
export class ReadCoalescer<T> {
  private readonly keys = new Map<string, KeyReads<T>>();

  read(key: string, load: () => Promise<T>): Promise<T> {
    const reads = this.keys.get(key) ?? { inFlight: undefined, gathering: undefined };
    this.keys.set(key, reads);
    if (!reads.gathering) {
      const before = reads.inFlight ?? Promise.resolve();
      const gathering: Promise<T> = before
        .catch(() => undefined)
        // setImmediate: callers arriving in the same turn (woken by one write) join before the read begins.
        .then(() => new Promise((resolve) => setImmediate(resolve)))
        .then(() => {
          reads.gathering = undefined;
          reads.inFlight = gathering;
          return load();
        })
        .finally(() => {
          if (reads.inFlight === gathering) reads.inFlight = undefined;
          if (!reads.inFlight && !reads.gathering) this.keys.delete(key);
        });
      reads.gathering = gathering;
    }
    return reads.gathering;
  }

  /** Keys with a read in flight or gathering callers. */
  get size(): number {
    return this.keys.size;
  }
}

interface KeyReads<T> {
  /** The read that has begun and not ended. */
  inFlight: Promise<T> | undefined;
  /** The read callers join now: it begins once `inFlight` has ended. */
  gathering: Promise<T> | undefined;
}
