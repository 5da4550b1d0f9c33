import { describe, expect, it } from 'vitest';
import { isAlreadyDeleted, planDelete, planDeploy } from '../../provisioner/domain/plan-operation.js';
import type { DataProductDescriptor, ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ResourceState } from '../../shared/state/lifecycle.js';
import type { DataProductStateDocument } from '../../shared/state/records.js';

const resource = (name: string, dependsOn: string[] = []): ResourceDescriptor => ({
  kind: 'outputPort',
  name,
  type: 'raw',
  technology: 's3',
  owner: 'owner',
  allow: [],
  dependsOn,
  specific: {},
});

const descriptor = (...resources: ResourceDescriptor[]): DataProductDescriptor => ({
  name: 'dp',
  domain: 'sales',
  version: '1.0.0',
  environment: { name: 'test', specific: {} },
  outputPorts: resources,
  workloads: [],
  observability: [],
});

function stored(
  state: DataProductStateDocument['state'],
  desc: DataProductDescriptor,
  resourceStates: Record<string, ResourceState>,
): DataProductStateDocument {
  return {
    environment: 'test',
    domain: 'sales',
    name: 'dp',
    version: '1.0.0',
    state,
    operationId: 'previous',
    descriptor: desc,
    lastError: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    resources: Object.entries(resourceStates).map(([name, resourceState]) => ({
      name,
      kind: 'outputPort',
      technology: 's3',
      state: resourceState,
      operationId: 'previous',
      lastError: null,
      info: null,
      applied: desc.outputPorts.find((candidate) => candidate.name === name) ?? null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    })),
  };
}

describe('planDeploy', () => {
  it('creates every resource of a new data product, each waiting for its dependencies', () => {
    const plan = planDeploy(descriptor(resource('a'), resource('b', ['a'])), undefined);
    expect(plan.transit).toBe('CREATING');
    expect(plan.steps.map((step) => [step.resource.name, step.method, step.waitsFor])).toEqual([
      ['a', 'POST', []],
      ['b', 'POST', ['a']],
    ]);
  });

  it('updates CREATED resources with PUT and creates NONE, DELETED and FAILED ones with POST', () => {
    const desc = descriptor(resource('created'), resource('failed'), resource('deleted'), resource('fresh'));
    const plan = planDeploy(
      desc,
      stored('NOT_COMPLETED', desc, { created: 'CREATED', failed: 'FAILED', deleted: 'DELETED' }),
    );
    expect(Object.fromEntries(plan.steps.map((step) => [step.resource.name, step.method]))).toEqual({
      created: 'PUT',
      failed: 'POST',
      deleted: 'POST',
      fresh: 'POST',
    });
    expect(plan.transit).toBe('CREATING');
  });

  it('moves a CREATED data product to UPDATING', () => {
    const desc = descriptor(resource('a'));
    expect(planDeploy(desc, stored('CREATED', desc, { a: 'CREATED' })).transit).toBe('UPDATING');
  });
});

describe('planDelete', () => {
  it('deletes dependents before their dependencies', () => {
    const desc = descriptor(resource('a'), resource('b', ['a']), resource('c', ['a', 'b']));
    const plan = planDelete(stored('CREATED', desc, { a: 'CREATED', b: 'CREATED', c: 'CREATED' }));
    expect(plan.transit).toBe('DELETING');
    expect(Object.fromEntries(plan.steps.map((step) => [step.resource.name, step.waitsFor.sort()]))).toEqual({
      a: ['b', 'c'],
      b: ['c'],
      c: [],
    });
  });

  it('calls nothing for resources that never existed or are already deleted, but deletes FAILED ones', () => {
    const desc = descriptor(resource('never'), resource('gone'), resource('broken'));
    const plan = planDelete(stored('NOT_COMPLETED', desc, { gone: 'DELETED', broken: 'FAILED' }));
    expect(Object.fromEntries(plan.steps.map((step) => [step.resource.name, step.method]))).toEqual({
      never: null,
      gone: null,
      broken: 'DELETE',
    });
  });

  it('recognises a data product with nothing left to delete', () => {
    const desc = descriptor(resource('a'));
    const gone = stored('DELETED', desc, { a: 'DELETED' });
    expect(isAlreadyDeleted(gone, planDelete(gone))).toBe(true);
    const partial = stored('NOT_COMPLETED', desc, { a: 'DELETED' });
    expect(isAlreadyDeleted(partial, planDelete(partial))).toBe(false);
  });
});
