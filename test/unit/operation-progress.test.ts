import { describe, expect, it } from 'vitest';
import { type ObservedResource, OperationProgress } from '../../provisioner/domain/operation-progress.js';
import type { OperationStep } from '../../shared/state/records.js';

const step = (
  name: string,
  waitsFor: string[] = [],
  method: OperationStep['method'] = 'POST',
): OperationStep => ({
  name,
  action: method === null ? 'noop' : 'create',
  method,
  waitsFor,
});

const progressOf = (...steps: OperationStep[]) =>
  new OperationProgress(steps, { timeoutFor: () => 1_000, staleAfterMs: 300 });
const names = (steps: { name: string }[]) => steps.map((candidate) => candidate.name).sort();
const observed = (overrides: Partial<ObservedResource>): ObservedResource => ({
  state: 'CREATING',
  operationId: 'op',
  attempt: 1,
  lastError: null,
  updatedAt: new Date(10_000).toISOString(),
  heartbeatAt: null,
  ...overrides,
});

describe('OperationProgress', () => {
  it('releases a step only once everything it waits for has succeeded', () => {
    const progress = progressOf(step('a'), step('b'), step('c', ['a', 'b']));
    expect(names(progress.takeReady())).toEqual(['a', 'b']);
    expect(progress.takeReady()).toEqual([]);
    progress.accepted('a', 0);
    progress.succeeded('a');
    expect(progress.takeReady()).toEqual([]);
    progress.succeeded('b');
    expect(names(progress.takeReady())).toEqual(['c']);
  });

  it('counts steps with nothing to do as succeeded from the start', () => {
    const progress = progressOf(step('done', [], null), step('next', ['done']));
    expect(names(progress.takeReady())).toEqual(['next']);
  });

  it('keeps a planned block, and blocks what waits for it', () => {
    const progress = progressOf(
      { name: 'stuck', action: 'blocked', method: null, waitsFor: [], reason: 'in transit' },
      step('after', ['stuck']),
    );
    expect(progress.takeReady()).toEqual([]);
    expect(progress.isFinished()).toBe(true);
    expect(progress.rootCauses()).toEqual([
      { resource: 'stuck', error: 'blocked: in transit' },
      { resource: 'after', blockedBy: 'stuck' },
    ]);
  });

  it('blocks every step behind a failure, transitively, naming the step that stopped it', () => {
    const progress = progressOf(step('a'), step('b', ['a']), step('c', ['b']), step('d'));
    progress.takeReady();
    progress.failed('a', 'boom');
    progress.succeeded('d');
    expect(progress.takeReady()).toEqual([]);
    expect(progress.steps.get('b')).toMatchObject({ status: 'blocked', blockedBy: 'a' });
    expect(progress.steps.get('c')).toMatchObject({ status: 'blocked', blockedBy: 'b' });
    expect(progress.isFinished()).toBe(true);
    expect(progress.allSucceeded()).toBe(false);
    expect(progress.summary()).toBe(
      'a failed: boom; b not attempted: it depends on a; c not attempted: it depends on b',
    );
  });

  it('cancels what has not started and lets what is in flight settle', () => {
    const progress = progressOf(step('a'), step('b', ['a']));
    progress.takeReady();
    progress.accepted('a', 0);
    progress.cancel();
    expect(progress.isFinished()).toBe(false);
    progress.succeeded('a');
    expect(progress.takeReady()).toEqual([]);
    expect(progress.isFinished()).toBe(true);
    expect(progress.rootCauses()).toEqual([
      { resource: 'b', error: 'not attempted: the operation was cancelled' },
    ]);
  });

  it('restores a resumed operation from what the state service recorded under it', () => {
    const progress = progressOf(
      step('done'),
      step('moving'),
      step('broken'),
      step('untouched'),
      step('other'),
    );
    progress.restore('done', observed({ state: 'CREATED' }), 'op', 20_000);
    progress.restore('moving', observed({ state: 'CREATING', attempt: 2 }), 'op', 20_000);
    progress.restore('broken', observed({ state: 'FAILED', lastError: 'denied' }), 'op', 20_000);
    progress.restore('other', observed({ state: 'CREATED', operationId: 'older' }), 'op', 20_000);
    expect(Object.fromEntries([...progress.steps.values()].map((s) => [s.name, s.status]))).toEqual({
      done: 'succeeded',
      moving: 'in-flight',
      broken: 'failed',
      untouched: 'pending',
      other: 'pending',
    });
    expect(progress.steps.get('moving')).toMatchObject({ attempt: 2, acceptedAt: 10_000 });
  });

  describe('observe', () => {
    const inFlight = () => {
      const progress = progressOf(step('a'));
      progress.takeReady();
      progress.accepted('a', 10_000);
      const current = progress.inFlight()[0];
      if (!current) throw new Error('a should be in flight');
      return { progress, current };
    };

    it('sees success only in the target state under this operation', () => {
      const { progress, current } = inFlight();
      expect(progress.observe(current, observed({ state: 'CREATED' }), 'op', 10_100)).toEqual({
        kind: 'succeeded',
      });
      expect(
        progress.observe(current, observed({ state: 'CREATED', operationId: 'old' }), 'op', 10_100),
      ).toEqual({
        kind: 'waiting',
      });
    });

    it('reports the microservice error of a FAILED resource', () => {
      const { progress, current } = inFlight();
      expect(
        progress.observe(current, observed({ state: 'FAILED', lastError: 'denied' }), 'op', 10_100),
      ).toEqual({
        kind: 'failed',
        error: 'denied',
      });
    });

    it('asks for a new attempt when the worker stopped sending heartbeats', () => {
      const { progress, current } = inFlight();
      const alive = observed({ heartbeatAt: new Date(10_250).toISOString() });
      expect(progress.observe(current, alive, 'op', 10_500).kind).toBe('waiting');
      expect(progress.observe(current, alive, 'op', 10_550)).toEqual({ kind: 'stale', attempt: 2 });
    });

    it('does not hold against the worker the signs of life its observer could not see (an outage of the state service)', () => {
      const { progress, current } = inFlight();
      const alive = observed({ heartbeatAt: new Date(10_250).toISOString() });
      // The observer's view resumed at 10_500: the worker gets a whole stale period from then to show life.
      expect(progress.observe(current, alive, 'op', 10_700, 10_500).kind).toBe('waiting');
      expect(progress.observe(current, alive, 'op', 10_800, 10_500)).toEqual({ kind: 'stale', attempt: 2 });
    });

    it('times out once the technology timeout has passed since acceptance', () => {
      const { progress, current } = inFlight();
      const resource = observed({ heartbeatAt: new Date(10_990).toISOString() });
      expect(progress.observe(current, resource, 'op', 10_999).kind).toBe('waiting');
      expect(progress.observe(current, resource, 'op', 11_000)).toMatchObject({
        kind: 'timed-out',
        error: expect.stringMatching(/did not reach CREATED within 1 s/),
      });
    });
  });
});
