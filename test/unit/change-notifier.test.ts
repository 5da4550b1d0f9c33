import { describe, expect, it } from 'vitest';
import { ChangeNotifier } from '../../state-service/change-notifier.js';

describe('ChangeNotifier', () => {
  it('wakes the waits of the key written, and only those', async () => {
    const notifier = new ChangeNotifier();
    const a = notifier.waitFor('a', 60_000);
    const b = notifier.waitFor('b', 60_000);
    notifier.notify('a');
    expect(await a.outcome).toBe('changed');
    b.cancel();
    expect(await b.outcome).toBe('aborted');
    expect(notifier.size).toBe(0);
  });

  it('forgets a wait whose caller went away', async () => {
    const notifier = new ChangeNotifier();
    const hangUp = new AbortController();
    const wait = notifier.waitFor('a', 60_000, hangUp.signal);
    expect(notifier.size).toBe(1);
    hangUp.abort();
    expect(await wait.outcome).toBe('aborted');
    expect(notifier.size).toBe(0);
    notifier.notify('a');
  });

  it('ends a wait at its timeout', async () => {
    const notifier = new ChangeNotifier();
    expect(await notifier.waitFor('a', 1).outcome).toBe('timeout');
    expect(notifier.size).toBe(0);
  });
});
