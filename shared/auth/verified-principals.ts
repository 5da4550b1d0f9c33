import type { Principal } from './principal.js';

export interface Verification {
  principal: Principal;
  /** Epoch ms after which the principal must be verified again. */
  until: number;
}

const MAX_ENTRIES = 10_000;

/**
 * Principals verified recently, keyed by the token's hash. Concurrent misses
 * of one token share one verification: a burst of requests that arrive
 * together with a token not yet known (every level of a deploy does that)
 * costs one read, not one per request. A failed verification is not kept.
 */
export class VerifiedPrincipals {
  private readonly entries = new Map<string, Verification>();
  private readonly pending = new Map<string, Promise<Verification>>();
  /** Moves on at every `forget`, so that a verification started before it is not cached after it. */
  private generation = 0;

  constructor(private readonly now: () => number) {}

  async verify(key: string, verifyAfresh: () => Promise<Verification>): Promise<Principal> {
    const cached = this.entries.get(key);
    if (cached && cached.until > this.now()) return cached.principal;
    const inFlight = this.pending.get(key);
    if (inFlight) return (await inFlight).principal;
    const generation = this.generation;
    const verification: Promise<Verification> = verifyAfresh()
      .then((verified) => {
        if (generation === this.generation) this.remember(key, verified);
        return verified;
      })
      .finally(() => {
        if (this.pending.get(key) === verification) this.pending.delete(key);
      });
    this.pending.set(key, verification);
    return (await verification).principal;
  }

  /**
   * Forgets every principal matching, and every verification in flight: those
   * began before, so their answers are neither cached nor shared with callers
   * that come after.
   */
  forget(matches: (principal: Principal) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.principal)) this.entries.delete(key);
    this.pending.clear();
    this.generation += 1;
  }

  private remember(key: string, verified: Verification): void {
    if (verified.until <= this.now()) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, verified);
  }
}
