import { describe, expect, it, vi } from 'vitest';
import { runScenario, SCENARIOS, type ScenarioOptions } from '../../faults/scenarios.js';

/**
 * The short form of `npm run faults`: the same scenarios, services as separate
 * processes, with shorter faults. It asserts what must hold whatever the
 * machine's load — the data product ends CREATED with no human action, nothing
 * failed, no older attempt wrote after a newer one — and leaves the times to
 * the full run.
 */
vi.setConfig({ testTimeout: 240_000 });

const SHORT: ScenarioOptions = {
  microserviceDownMs: 500,
  stateDownMs: 2_000,
  stateStoppedMs: 2_000,
  timings: { leaseMs: 3_000, staleHeartbeatMs: 3_000, heartbeatMs: 300 },
};

const scenario = (name: string) => {
  const found = SCENARIOS.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

describe('the fault suite, short form', () => {
  it('a microservice killed between its transit write and its answer: the retried call finishes the work, once', async () => {
    const result = await runScenario(
      scenario('microservice killed between its transit write and its answer'),
      SHORT,
    );
    expect(result.outcome).toBe('CREATED');
    expect(result.notes).toContain('attempts: 1');
  });

  it('the state service killed mid-deploy: the finished work is reported once it is back, not redone', async () => {
    const result = await runScenario(scenario('state service killed mid-deploy'), SHORT);
    expect(result.outcome).toBe('CREATED');
    expect(result.notes).toContain('attempts: 1');
  });

  it('a provisioner replica killed mid-deploy: the other finishes the operation', async () => {
    const result = await runScenario(scenario('one of two provisioner replicas killed mid-deploy'), SHORT);
    expect(result.outcome).toBe('CREATED');
    expect(result.notes).toContain('finished by provisioner:provisioner-2');
  });
});
