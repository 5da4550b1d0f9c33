import { describe, expect, it } from 'vitest';
import { isNothingToDo, planDelete, planDeploy } from '../../provisioner/domain/plan-operation.js';
import type { DataProductDescriptor, ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ResourceState } from '../../shared/state/lifecycle.js';
import type { DataProductStateDocument } from '../../shared/state/records.js';

const resource = (name: string, overrides: Partial<ResourceDescriptor> = {}): ResourceDescriptor => ({
  kind: 'outputPort',
  name,
  type: 'raw',
  technology: 's3',
  owner: 'owner',
  allow: ['reader'],
  dependsOn: [],
  specific: { bucket: 'b', directory: name },
  ...overrides,
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
  applied: ResourceDescriptor[],
  resourceStates: Record<string, ResourceState>,
): DataProductStateDocument {
  return {
    environment: 'test',
    domain: 'sales',
    name: 'dp',
    version: '1.0.0',
    state,
    operationId: 'previous',
    descriptor: descriptor(...applied),
    operation: null,
    lastError: null,
    rootCauses: [],
    lease: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    resources: Object.entries(resourceStates).map(([name, resourceState]) => ({
      name,
      kind: 'outputPort',
      technology: 's3',
      state: resourceState,
      operationId: 'previous',
      attempt: 1,
      lastError: null,
      info: null,
      applied: applied.find((candidate) => candidate.name === name) ?? null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      heartbeatAt: null,
    })),
  };
}

const immutableS3 = () => ['bucket', 'directory'];
const actions = (plan: ReturnType<typeof planDeploy>) =>
  Object.fromEntries(plan.steps.map((step) => [step.name, step.action]));

describe('planDeploy', () => {
  it('creates every resource of a new data product, in waves that respect dependencies', () => {
    const plan = planDeploy(
      descriptor(resource('a'), resource('b', { dependsOn: ['a'] }), resource('c', { dependsOn: ['a'] })),
      undefined,
      immutableS3,
    );
    expect(plan.transit).toBe('CREATING');
    expect(actions(plan)).toEqual({ a: 'create', b: 'create', c: 'create' });
    expect(plan.steps.map((step) => step.method)).toEqual(['POST', 'POST', 'POST']);
    expect(plan.waves).toEqual([['a'], ['b', 'c']]);
  });

  it('leaves an unchanged CREATED resource alone and updates one whose grants changed, with the ACL diff', () => {
    const before = [resource('same'), resource('acl', { owner: 'owner', allow: ['reader', 'leaver'] })];
    const after = descriptor(
      resource('same'),
      resource('acl', { owner: 'owner', allow: ['reader', 'joiner'] }),
    );
    const plan = planDeploy(
      after,
      stored('CREATED', before, { same: 'CREATED', acl: 'CREATED' }),
      immutableS3,
    );
    expect(plan.transit).toBe('UPDATING');
    expect(actions(plan)).toEqual({ same: 'noop', acl: 'update' });
    const update = plan.steps.find((step) => step.name === 'acl');
    expect(update?.method).toBe('PUT');
    expect(update?.acl).toEqual({ granted: [{ role: 'joiner', access: 'read-only' }], revoked: ['leaver'] });
    expect(update?.changes).toEqual(['allow']);
    expect(plan.waves).toEqual([['acl']]);
  });

  it('treats a reordered allow list as unchanged', () => {
    const before = [resource('a', { allow: ['x', 'y'] })];
    const plan = planDeploy(
      descriptor(resource('a', { allow: ['y', 'x'] })),
      stored('CREATED', before, { a: 'CREATED' }),
      immutableS3,
    );
    expect(actions(plan)).toEqual({ a: 'noop' });
    expect(isNothingToDo(stored('CREATED', before, { a: 'CREATED' }), plan)).toBe(true);
  });

  it('creates NONE, DELETED and FAILED resources again', () => {
    const applied = [resource('failed'), resource('deleted')];
    const plan = planDeploy(
      descriptor(resource('failed'), resource('deleted'), resource('fresh')),
      stored('NOT_COMPLETED', applied, { failed: 'FAILED', deleted: 'DELETED' }),
      immutableS3,
    );
    expect(actions(plan)).toEqual({ failed: 'create', deleted: 'create', fresh: 'create' });
    expect(plan.transit).toBe('CREATING');
  });

  it('deletes resources the descriptor no longer lists, dependents first', () => {
    const applied = [resource('kept'), resource('base'), resource('top', { dependsOn: ['base'] })];
    const plan = planDeploy(
      descriptor(resource('kept')),
      stored('CREATED', applied, { kept: 'CREATED', base: 'CREATED', top: 'CREATED' }),
      immutableS3,
    );
    expect(actions(plan)).toEqual({ kept: 'noop', base: 'delete', top: 'delete' });
    expect(plan.steps.find((step) => step.name === 'base')?.waitsFor).toEqual(['top']);
    expect(plan.waves).toEqual([['top'], ['base']]);
  });

  it('blocks an immutable change and what depends on it, with the reason and the path', () => {
    const applied = [resource('folder'), resource('reader', { dependsOn: ['folder'] })];
    const plan = planDeploy(
      descriptor(
        resource('folder', { specific: { bucket: 'other', directory: 'folder' } }),
        resource('reader', { dependsOn: ['folder'], allow: ['new'] }),
      ),
      stored('CREATED', applied, { folder: 'CREATED', reader: 'CREATED' }),
      immutableS3,
    );
    expect(actions(plan)).toEqual({ folder: 'blocked', reader: 'blocked' });
    expect(plan.steps[0]?.reason).toMatch(/bucket cannot change.*new name.*new version/);
    expect(plan.steps[1]?.reason).toBe('waits for folder, which is blocked');
    expect(plan.immutable).toEqual([expect.objectContaining({ path: '/outputPorts/0/specific/bucket' })]);
    expect(plan.waves).toEqual([]);
  });

  it('blocks a technology change', () => {
    const plan = planDeploy(
      descriptor(resource('a', { technology: 's3cdp' })),
      stored('CREATED', [resource('a')], { a: 'CREATED' }),
      immutableS3,
    );
    expect(plan.immutable[0]).toMatchObject({ path: '/outputPorts/0/technology' });
  });

  it('takes over a resource left in transit by an operation that is over', () => {
    const plan = planDeploy(
      descriptor(resource('a')),
      stored('NOT_COMPLETED', [resource('a')], { a: 'CREATING' }),
      immutableS3,
    );
    expect(plan.steps[0]).toMatchObject({ action: 'create', method: 'POST' });
  });
});

describe('planDelete', () => {
  it('deletes dependents before their dependencies', () => {
    const applied = [
      resource('a'),
      resource('b', { dependsOn: ['a'] }),
      resource('c', { dependsOn: ['a', 'b'] }),
    ];
    const plan = planDelete(stored('CREATED', applied, { a: 'CREATED', b: 'CREATED', c: 'CREATED' }));
    expect(plan.transit).toBe('DELETING');
    expect(Object.fromEntries(plan.steps.map((step) => [step.name, [...step.waitsFor].sort()]))).toEqual({
      a: ['b', 'c'],
      b: ['c'],
      c: [],
    });
    expect(plan.waves).toEqual([['c'], ['b'], ['a']]);
  });

  it('calls nothing for resources that never existed or are already deleted, but deletes FAILED ones', () => {
    const applied = [resource('never'), resource('gone'), resource('broken')];
    const plan = planDelete(stored('NOT_COMPLETED', applied, { gone: 'DELETED', broken: 'FAILED' }));
    expect(Object.fromEntries(plan.steps.map((step) => [step.name, step.method]))).toEqual({
      never: null,
      gone: null,
      broken: 'DELETE',
    });
  });

  it('recognises a data product with nothing left to delete', () => {
    const gone = stored('DELETED', [resource('a')], { a: 'DELETED' });
    expect(isNothingToDo(gone, planDelete(gone))).toBe(true);
    const partial = stored('NOT_COMPLETED', [resource('a')], { a: 'DELETED' });
    expect(isNothingToDo(partial, planDelete(partial))).toBe(false);
  });
});
