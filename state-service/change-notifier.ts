/** How a wait for a change ended. */
export type WaitOutcome = 'changed' | 'timeout' | 'aborted';

/**
 * Wakes the long-polls of one key (a data product) when this process writes
 * to it. Only this process's writes are seen: writes through another replica
 * are noticed when the wait times out and the caller reads again.
 */
export class ChangeNotifier {
  private readonly listeners = new Map<string, Set<() => void>>();

  /**
   * Starts waiting at once, so that a change landing between the caller's read
   * and its wait is not missed; `cancel` removes the listener.
   */
  waitFor(
    key: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): { outcome: Promise<WaitOutcome>; cancel: () => void } {
    let finish: (outcome: WaitOutcome) => void = () => undefined;
    const outcome = new Promise<WaitOutcome>((resolve) => {
      finish = resolve;
    });
    const onChange = () => settle('changed');
    const onAbort = () => settle('aborted');
    const timer = setTimeout(() => settle('timeout'), timeoutMs);
    const settle = (result: WaitOutcome) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const keyListeners = this.listeners.get(key);
      keyListeners?.delete(onChange);
      if (keyListeners?.size === 0) this.listeners.delete(key);
      finish(result);
    };
    const keyListeners = this.listeners.get(key) ?? new Set();
    keyListeners.add(onChange);
    this.listeners.set(key, keyListeners);
    if (signal?.aborted) settle('aborted');
    else signal?.addEventListener('abort', onAbort, { once: true });
    return { outcome, cancel: () => settle('aborted') };
  }

  notify(key: string): void {
    for (const listener of [...(this.listeners.get(key) ?? [])]) listener();
  }

  /** Keys somebody waits on. */
  get size(): number {
    return this.listeners.size;
  }
}
