import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OperationProgress } from '../../provisioner/domain/operation-progress.js';
import { readProvisionerConfig } from '../../provisioner/provisioner-config.js';
import type { OperationStep } from '../../shared/state/records.js';

const step = (name: string, waitsFor: string[] = []): OperationStep => ({
  name,
  action: 'create',
  method: 'POST',
  waitsFor,
});

const progressOf = (steps: OperationStep[]) =>
  new OperationProgress(steps, { timeoutFor: () => 60_000, staleAfterMs: 30_000 });

const busy = (progress: OperationProgress) =>
  [...progress.steps.values()].filter((candidate) => ['dispatching', 'in-flight'].includes(candidate.status))
    .length;

describe('OperationProgress.takeReady with a dispatch limit', () => {
  it('hands out one step at a time when the limit is 1, the next only once the first settled', () => {
    const progress = progressOf([step('a'), step('b'), step('c')]);
    const first = progress.takeReady(1);
    expect(first).toHaveLength(1);
    expect(progress.takeReady(1)).toEqual([]);
    progress.accepted(first[0]?.name ?? '', 0);
    expect(progress.takeReady(1)).toEqual([]);
    progress.succeeded(first[0]?.name ?? '');
    expect(progress.takeReady(1)).toHaveLength(1);
  });

  it('hands out every ready step without a limit (0)', () => {
    const progress = progressOf([step('a'), step('b'), step('c')]);
    expect(progress.takeReady(0)).toHaveLength(3);
  });

  it('never has more than N steps dispatching or in flight, whatever the DAG and the order they settle in', () => {
    const dag = fc.integer({ min: 1, max: 12 }).chain((size) =>
      fc.tuple(
        fc.constant(size),
        fc.array(fc.array(fc.nat({ max: size - 1 }), { maxLength: 3 }), {
          minLength: size,
          maxLength: size,
        }),
      ),
    );
    fc.assert(
      fc.property(
        dag,
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat()),
        ([size, parents], limit, picks) => {
          // Each step may wait only for steps before it: a DAG.
          const steps = parents.map((of, index) =>
            step(
              `s${index}`,
              of.filter((parent) => parent < index).map((parent) => `s${parent}`),
            ),
          );
          const progress = progressOf(steps);
          let settled = 0;
          let pick = 0;
          while (!progress.isFinished()) {
            for (const ready of progress.takeReady(limit)) progress.accepted(ready.name, 0);
            expect(busy(progress)).toBeLessThanOrEqual(limit);
            const inFlight = progress.inFlight();
            expect(inFlight.length).toBeGreaterThan(0);
            const chosen = inFlight[(picks[pick++ % Math.max(1, picks.length)] ?? 0) % inFlight.length];
            progress.succeeded(chosen?.name ?? '');
            settled += 1;
          }
          expect(settled).toBe(size);
        },
      ),
    );
  });
});

describe('DMP_MAX_PARALLEL_DISPATCH', () => {
  it('defaults to no limit and reads a positive limit', () => {
    expect(readProvisionerConfig({}).maxParallelDispatch).toBe(0);
    expect(readProvisionerConfig({ DMP_MAX_PARALLEL_DISPATCH: '1' }).maxParallelDispatch).toBe(1);
  });

  it('refuses a value that is not a non-negative integer', () => {
    expect(() => readProvisionerConfig({ DMP_MAX_PARALLEL_DISPATCH: '-1' })).toThrow(
      /DMP_MAX_PARALLEL_DISPATCH/,
    );
    expect(() => readProvisionerConfig({ DMP_MAX_PARALLEL_DISPATCH: 'many' })).toThrow(
      /DMP_MAX_PARALLEL_DISPATCH/,
    );
  });
});
