import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A random pause after losing a race for one key (a history sequence, a
 * stream's head), growing with the attempt up to `ceilingMs`, so that the
 * writers who raced spread out instead of colliding again.
 */
export function contentionPause(attempt: number, ceilingMs: number): Promise<void> {
  return sleep(Math.random() * Math.min(2 ** attempt, ceilingMs));
}
