import { describe, expect, it } from 'vitest';
import { OperationProgress } from '../../provisioner/domain/operation-progress.js';
import type { OperationPlan, PlannedStep } from '../../provisioner/domain/plan-operation.js';

const step = (
  name: string,
  waitsFor: string[] = [],
  method: PlannedStep['method'] = 'POST',
): PlannedStep => ({
  resource: {
    kind: 'outputPort',
    name,
    type: 'raw',
    technology: 's3',
    allow: [],
    dependsOn: waitsFor,
    specific: {},
  },
  method,
  waitsFor,
});

const plan = (...steps: PlannedStep[]): OperationPlan => ({ kind: 'deploy', transit: 'CREATING', steps });
const names = (steps: { name: string }[]) => steps.map((candidate) => candidate.name).sort();

describe('OperationProgress', () => {
  it('releases a step only once everything it waits for has succeeded', () => {
    const progress = new OperationProgress(plan(step('a'), step('b'), step('c', ['a', 'b'])), () => 1_000);
    expect(names(progress.takeReady())).toEqual(['a', 'b']);
    expect(progress.takeReady()).toEqual([]);
    progress.accepted('a', 0);
    progress.succeeded('a');
    expect(progress.takeReady()).toEqual([]);
    progress.succeeded('b');
    expect(names(progress.takeReady())).toEqual(['c']);
  });

  it('counts steps with nothing to do as succeeded from the start', () => {
    const progress = new OperationProgress(plan(step('done', [], null), step('next', ['done'])), () => 1_000);
    expect(names(progress.takeReady())).toEqual(['next']);
  });

  it('blocks every step behind a failure, transitively, naming the step that stopped it', () => {
    const progress = new OperationProgress(
      plan(step('a'), step('b', ['a']), step('c', ['b']), step('d')),
      () => 1_000,
    );
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

  it('ignores dependencies outside the plan', () => {
    const progress = new OperationProgress(plan(step('a', ['elsewhere'])), () => 1_000);
    expect(names(progress.takeReady())).toEqual(['a']);
  });

  describe('observe', () => {
    const progress = new OperationProgress(plan(step('a')), () => 1_000);
    progress.takeReady();
    progress.accepted('a', 10_000);
    const inFlight = progress.inFlight()[0];
    if (!inFlight) throw new Error('a should be in flight');

    it('sees success only in the target state under this operation', () => {
      expect(
        progress.observe(inFlight, { state: 'CREATED', operationId: 'op', lastError: null }, 'op', 10_100),
      ).toEqual({
        kind: 'succeeded',
      });
      expect(
        progress.observe(inFlight, { state: 'CREATED', operationId: 'old', lastError: null }, 'op', 10_100),
      ).toEqual({
        kind: 'waiting',
      });
    });

    it('reports the microservice error of a FAILED resource', () => {
      expect(
        progress.observe(inFlight, { state: 'FAILED', operationId: 'op', lastError: 'denied' }, 'op', 10_100),
      ).toEqual({
        kind: 'failed',
        error: 'denied',
      });
    });

    it('times out once the technology timeout has passed since acceptance', () => {
      const resource = { state: 'CREATING' as const, operationId: 'op', lastError: null };
      expect(progress.observe(inFlight, resource, 'op', 10_999).kind).toBe('waiting');
      const timedOut = progress.observe(inFlight, resource, 'op', 11_000);
      expect(timedOut).toMatchObject({
        kind: 'timed-out',
        error: expect.stringMatching(/did not reach CREATED within 1 s/),
      });
    });
  });
});
