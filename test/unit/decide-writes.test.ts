import { describe, expect, it } from 'vitest';
import type { DataProductDescriptor, ResourceDescriptor } from '../../shared/descriptor/types.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import {
  CONSISTENT_STATES,
  canDataProductMove,
  canResourceMove,
  DATA_PRODUCT_STATES,
  isTransit,
  type LifecycleState,
  RESOURCE_STATES,
  type ResourceState,
  TRANSIT_STATES,
} from '../../shared/state/lifecycle.js';
import type {
  DataProductRecord,
  DataProductWrite,
  ResourceRecord,
  ResourceWrite,
} from '../../shared/state/records.js';
import {
  type Decision,
  decideDataProductWrite,
  decideResourceWrite,
} from '../../state-service/domain/decide-writes.js';

/** The transition tables as the thesis states them, written out independently of lifecycle.ts. */
const DATA_PRODUCT_TABLE: Record<LifecycleState, LifecycleState[]> = {
  NONE: ['CREATING'],
  CREATED: ['UPDATING', 'DELETING'],
  DELETED: ['CREATING', 'DELETING'],
  FAILED: ['CREATING', 'UPDATING', 'DELETING'],
  NOT_COMPLETED: ['CREATING', 'UPDATING', 'DELETING'],
  CREATING: ['CREATED', 'NOT_COMPLETED', 'FAILED'],
  UPDATING: ['CREATED', 'NOT_COMPLETED', 'FAILED'],
  DELETING: ['DELETED', 'NOT_COMPLETED', 'FAILED'],
};

const RESOURCE_TABLE: Record<ResourceState, ResourceState[]> = {
  NONE: ['CREATING', 'FAILED'],
  CREATED: ['UPDATING', 'DELETING', 'FAILED'],
  DELETED: ['CREATING', 'DELETING', 'FAILED'],
  FAILED: ['CREATING', 'UPDATING', 'DELETING', 'FAILED'],
  CREATING: ['CREATED', 'FAILED'],
  UPDATING: ['CREATED', 'FAILED'],
  DELETING: ['DELETED', 'FAILED'],
};

const NOW = '2024-05-01T12:00:00.000Z';
const EARLIER = '2024-05-01T10:00:00.000Z';
const REF = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };

const resourceDescriptor = (name = 'raw', specific: Record<string, unknown> = {}): ResourceDescriptor => ({
  kind: 'outputPort',
  name,
  type: 'raw',
  technology: 's3',
  owner: 'sales-owner',
  allow: [],
  dependsOn: [],
  specific,
});

const descriptor = (...resources: ResourceDescriptor[]): DataProductDescriptor => ({
  name: REF.name,
  domain: REF.domain,
  version: REF.version,
  environment: { name: REF.environment, specific: {} },
  outputPorts: resources,
  workloads: [],
  observability: [],
});

const storedDataProduct = (overrides: Partial<DataProductRecord> = {}): DataProductRecord => ({
  ...REF,
  state: 'CREATED',
  operationId: 'op-1',
  descriptor: descriptor(resourceDescriptor()),
  operation: { kind: 'deploy', removeData: false, steps: [], startedAt: EARLIER, cancelRequested: false },
  lastError: null,
  rootCauses: [],
  createdAt: EARLIER,
  updatedAt: EARLIER,
  seq: 4,
  revision: 7,
  ...overrides,
});

const dataProductWrite = (overrides: Partial<DataProductWrite> = {}): DataProductWrite => ({
  ...REF,
  state: 'CREATING',
  operationId: 'op-2',
  ...overrides,
});

const storedResource = (overrides: Partial<ResourceRecord> = {}): ResourceRecord => ({
  dataProduct: REF,
  name: 'raw',
  kind: 'outputPort',
  technology: 's3',
  state: 'CREATING',
  operationId: 'op-1',
  attempt: 1,
  lastError: null,
  info: null,
  applied: null,
  createdAt: EARLIER,
  updatedAt: EARLIER,
  seq: 5,
  revision: 3,
  ...overrides,
});

const resourceWrite = (overrides: Partial<ResourceWrite> = {}): ResourceWrite => ({
  environment: REF.environment,
  domain: REF.domain,
  dataProduct: REF.name,
  version: REF.version,
  name: 'raw',
  kind: 'outputPort',
  technology: 's3',
  state: 'CREATED',
  operationId: 'op-1',
  ...overrides,
});

/** The data product running operation op-1, unless told otherwise. */
const running = (overrides: Partial<DataProductRecord> = {}) =>
  storedDataProduct({ state: 'CREATING', operationId: 'op-1', ...overrides });

function written<T>(decision: Decision<T>): T {
  if (decision.kind !== 'write') throw new Error(`expected a write, got ${decision.kind}`);
  return decision.record;
}

/** Runs `decide` and returns the ConflictError it must throw. */
function conflictOf(decide: () => unknown): ConflictError {
  try {
    decide();
  } catch (error) {
    expect(error).toBeInstanceOf(ConflictError);
    return error as ConflictError;
  }
  throw new Error('expected a ConflictError, but the write was accepted');
}

describe('the lifecycle transition tables', () => {
  const dataProductPairs = DATA_PRODUCT_STATES.flatMap((from) => DATA_PRODUCT_STATES.map((to) => [from, to]));
  const resourcePairs = RESOURCE_STATES.flatMap((from) => RESOURCE_STATES.map((to) => [from, to]));

  it.each(dataProductPairs)('canDataProductMove(%s, %s) follows the thesis table', (from, to) => {
    expect(canDataProductMove(from, to)).toBe(DATA_PRODUCT_TABLE[from].includes(to));
  });

  it.each(resourcePairs)('canResourceMove(%s, %s) follows the thesis table', (from, to) => {
    expect(canResourceMove(from as ResourceState, to as ResourceState)).toBe(
      RESOURCE_TABLE[from as ResourceState].includes(to as ResourceState),
    );
  });

  it('covers every state, and resources never use NOT_COMPLETED', () => {
    expect([...DATA_PRODUCT_STATES].sort()).toEqual(Object.keys(DATA_PRODUCT_TABLE).sort());
    expect([...RESOURCE_STATES].sort()).toEqual(Object.keys(RESOURCE_TABLE).sort());
    expect(RESOURCE_STATES).not.toContain('NOT_COMPLETED');
  });

  it('moves a data product from a consistent state only into a transit state, and back', () => {
    for (const from of CONSISTENT_STATES) {
      for (const to of DATA_PRODUCT_TABLE[from]) expect(isTransit(to)).toBe(true);
    }
    for (const from of TRANSIT_STATES) {
      for (const to of DATA_PRODUCT_TABLE[from]) expect(isTransit(to)).toBe(false);
    }
  });
});

describe('decideDataProductWrite', () => {
  describe('over every pair of states', () => {
    const pairs = DATA_PRODUCT_STATES.flatMap((from) => DATA_PRODUCT_STATES.map((to) => [from, to]));

    it.each(pairs)(
      'from %s to %s: writes exactly what the table allows, else names the current state',
      (from, to) => {
        // A transit state is left by its own operation; a consistent state is left by a new one.
        const current = from === 'NONE' ? undefined : storedDataProduct({ state: from, operationId: 'op-1' });
        const operationId = isTransit(from) ? 'op-1' : 'op-2';
        const decide = () =>
          decideDataProductWrite(current, dataProductWrite({ state: to, operationId }), NOW);
        if (from === to && isTransit(from)) {
          expect(decide().kind).toBe('unchanged');
        } else if (DATA_PRODUCT_TABLE[from].includes(to)) {
          const decision = decide();
          expect(decision).toMatchObject({ kind: 'write', from, record: { state: to, operationId } });
        } else {
          const error = conflictOf(decide);
          expect(error.details.currentState).toBe(from);
          expect(error.message).toContain(from);
        }
      },
    );
  });

  describe('fencing by operationId', () => {
    it.each(TRANSIT_STATES)(
      'refuses a write under another operation while the data product is %s',
      (state) => {
        const current = storedDataProduct({ state, operationId: 'op-1' });
        const settle = state === 'DELETING' ? 'DELETED' : 'CREATED';
        const error = conflictOf(() =>
          decideDataProductWrite(current, dataProductWrite({ state: settle, operationId: 'intruder' }), NOW),
        );
        expect(error.details).toMatchObject({ currentState: state, operationId: 'op-1' });
        expect(error.message).toContain('op-1');
      },
    );

    it('refuses to move a transit data product to FAILED under another operation', () => {
      const current = storedDataProduct({ state: 'UPDATING', operationId: 'op-1' });
      const error = conflictOf(() =>
        decideDataProductWrite(current, dataProductWrite({ state: 'FAILED', operationId: 'op-9' }), NOW),
      );
      expect(error.details.currentState).toBe('UPDATING');
    });

    it('refuses to enter transit a second time under another operation', () => {
      const current = storedDataProduct({ state: 'CREATING', operationId: 'op-1' });
      const error = conflictOf(() =>
        decideDataProductWrite(current, dataProductWrite({ state: 'CREATING', operationId: 'op-2' }), NOW),
      );
      expect(error.details).toMatchObject({ currentState: 'CREATING', operationId: 'op-1' });
    });

    it.each(CONSISTENT_STATES.filter((state) => state !== 'NONE'))(
      'refuses to re-open a %s data product under the operation that already settled it',
      (state) => {
        const current = storedDataProduct({ state, operationId: 'op-1' });
        const transit = DATA_PRODUCT_TABLE[state][0] as LifecycleState;
        const error = conflictOf(() =>
          decideDataProductWrite(current, dataProductWrite({ state: transit, operationId: 'op-1' }), NOW),
        );
        expect(error.details).toMatchObject({ currentState: state, operationId: 'op-1' });
      },
    );

    it('lets a new operation take a settled data product into transit', () => {
      const current = storedDataProduct({ state: 'CREATED', operationId: 'op-1' });
      const record = written(
        decideDataProductWrite(current, dataProductWrite({ state: 'UPDATING', operationId: 'op-2' }), NOW),
      );
      expect(record).toMatchObject({ state: 'UPDATING', operationId: 'op-2' });
    });
  });

  describe('idempotent replay', () => {
    it.each(DATA_PRODUCT_STATES.filter((state) => state !== 'NONE'))(
      'answers unchanged with the stored record when %s is written again under the same operation',
      (state) => {
        const current = storedDataProduct({ state, operationId: 'op-1' });
        const decision = decideDataProductWrite(
          current,
          dataProductWrite({ state, operationId: 'op-1' }),
          NOW,
        );
        expect(decision).toEqual({ kind: 'unchanged', record: current });
      },
    );

    it('does not treat the same state under another operation as a replay', () => {
      const current = storedDataProduct({ state: 'CREATED', operationId: 'op-1' });
      const error = conflictOf(() =>
        decideDataProductWrite(current, dataProductWrite({ state: 'CREATED', operationId: 'op-2' }), NOW),
      );
      expect(error.details.currentState).toBe('CREATED');
    });

    it('refuses NONE even for an unknown data product: NONE is where things start, not a target', () => {
      const error = conflictOf(() =>
        decideDataProductWrite(undefined, dataProductWrite({ state: 'NONE', operationId: 'op-1' }), NOW),
      );
      expect(error.details).toMatchObject({ currentState: 'NONE', operationId: null });
    });
  });

  describe('the record it writes', () => {
    it('starts a new data product at revision 0 and seq 0, created now, for the caller to increment', () => {
      const record = written(decideDataProductWrite(undefined, dataProductWrite({ state: 'CREATING' }), NOW));
      expect(record).toMatchObject({
        ...REF,
        state: 'CREATING',
        operationId: 'op-2',
        descriptor: null,
        operation: null,
        lastError: null,
        rootCauses: [],
        createdAt: NOW,
        updatedAt: NOW,
        seq: 0,
        revision: 0,
      });
    });

    it('carries the revision and seq it read, keeps createdAt and moves updatedAt', () => {
      const current = storedDataProduct({ state: 'CREATED', revision: 7, seq: 4 });
      const record = written(decideDataProductWrite(current, dataProductWrite({ state: 'DELETING' }), NOW));
      expect(record).toMatchObject({ revision: 7, seq: 4, createdAt: EARLIER, updatedAt: NOW });
    });

    it('keeps lastError and rootCauses when the data product settles FAILED', () => {
      const current = running();
      const rootCauses = [{ resource: 'raw', error: 'access denied' }];
      const record = written(
        decideDataProductWrite(
          current,
          dataProductWrite({ state: 'FAILED', operationId: 'op-1', lastError: 'raw failed', rootCauses }),
          NOW,
        ),
      );
      expect(record).toMatchObject({ state: 'FAILED', lastError: 'raw failed', rootCauses });
    });

    it('keeps lastError and rootCauses when the data product settles NOT_COMPLETED', () => {
      const rootCauses = [{ resource: 'view', blockedBy: 'raw' }];
      const record = written(
        decideDataProductWrite(
          running(),
          dataProductWrite({ state: 'NOT_COMPLETED', operationId: 'op-1', lastError: 'blocked', rootCauses }),
          NOW,
        ),
      );
      expect(record).toMatchObject({ lastError: 'blocked', rootCauses });
    });

    it('drops lastError and rootCauses on CREATED, even when the write carries them', () => {
      const record = written(
        decideDataProductWrite(
          running({ lastError: 'old', rootCauses: [{ resource: 'raw', error: 'old' }] }),
          dataProductWrite({
            state: 'CREATED',
            operationId: 'op-1',
            lastError: 'stray',
            rootCauses: [{ resource: 'raw', error: 'stray' }],
          }),
          NOW,
        ),
      );
      expect(record).toMatchObject({ lastError: null, rootCauses: [] });
    });

    it('clears the previous error when a new operation enters transit', () => {
      const current = storedDataProduct({
        state: 'FAILED',
        lastError: 'raw failed',
        rootCauses: [{ resource: 'raw', error: 'x' }],
      });
      const record = written(decideDataProductWrite(current, dataProductWrite({ state: 'UPDATING' }), NOW));
      expect(record).toMatchObject({ lastError: null, rootCauses: [] });
    });

    it('keeps the stored descriptor unless the write brings a new one', () => {
      const stored = descriptor(resourceDescriptor('raw'));
      const kept = written(
        decideDataProductWrite(
          storedDataProduct({ descriptor: stored }),
          dataProductWrite({ state: 'DELETING' }),
          NOW,
        ),
      );
      expect(kept.descriptor).toEqual(stored);
      const fresh = descriptor(resourceDescriptor('raw'), resourceDescriptor('curated'));
      const replaced = written(
        decideDataProductWrite(
          storedDataProduct({ descriptor: stored }),
          dataProductWrite({ state: 'UPDATING', descriptor: fresh }),
          NOW,
        ),
      );
      expect(replaced.descriptor).toEqual(fresh);
    });

    it('records the new operation, not yet cancelled, when entering transit', () => {
      const operation = {
        kind: 'delete' as const,
        removeData: true,
        steps: [{ name: 'raw', action: 'delete' as const, method: 'DELETE' as const, waitsFor: [] }],
        startedAt: NOW,
      };
      const record = written(
        decideDataProductWrite(storedDataProduct(), dataProductWrite({ state: 'DELETING', operation }), NOW),
      );
      expect(record.operation).toEqual({ ...operation, cancelRequested: false });
    });

    it('forgets the previous operation when entering transit without one', () => {
      const record = written(
        decideDataProductWrite(storedDataProduct(), dataProductWrite({ state: 'DELETING' }), NOW),
      );
      expect(record.operation).toBeNull();
    });

    it('keeps the running operation (and its cancel request) when the data product settles', () => {
      const operation = {
        kind: 'deploy' as const,
        removeData: false,
        steps: [],
        startedAt: EARLIER,
        cancelRequested: true,
      };
      const record = written(
        decideDataProductWrite(
          running({ operation }),
          dataProductWrite({ state: 'NOT_COMPLETED', operationId: 'op-1' }),
          NOW,
        ),
      );
      expect(record.operation).toEqual(operation);
    });
  });
});

/** Where a resource in each transit state goes when its work succeeds. */
const RESOURCE_METHOD_STATES_DONE: Record<(typeof TRANSIT_STATES)[number], ResourceState> = {
  CREATING: 'CREATED',
  UPDATING: 'CREATED',
  DELETING: 'DELETED',
};

describe('decideResourceWrite', () => {
  it('refuses a resource of an unknown data product with NotFoundError', () => {
    expect(() =>
      decideResourceWrite(undefined, undefined, resourceWrite({ state: 'CREATING' }), NOW),
    ).toThrow(NotFoundError);
  });

  describe('over every pair of states', () => {
    const pairs = RESOURCE_STATES.flatMap((from) => RESOURCE_STATES.map((to) => [from, to]));

    it.each(pairs)(
      'from %s to %s under the running operation: writes exactly what the table allows',
      (f, t) => {
        const from = f as ResourceState;
        const to = t as ResourceState;
        // A transit resource belongs to the running operation; a consistent one was settled by an earlier one.
        const current =
          from === 'NONE'
            ? undefined
            : storedResource({ state: from, operationId: isTransit(from) ? 'op-1' : 'op-0' });
        const decide = () => decideResourceWrite(running(), current, resourceWrite({ state: to }), NOW);
        if (from === to && isTransit(from)) {
          expect(decide().kind).toBe('unchanged');
        } else if (RESOURCE_TABLE[from].includes(to)) {
          expect(decide()).toMatchObject({ kind: 'write', from, record: { state: to, operationId: 'op-1' } });
        } else {
          const error = conflictOf(decide);
          expect(error.details.currentState).toBe(from);
          expect(error.message).toContain(from);
        }
      },
    );
  });

  describe('fencing by the data product operation', () => {
    it.each(CONSISTENT_STATES)(
      'refuses to move a resource while the data product is %s (not in transit)',
      (state) => {
        const dataProduct = storedDataProduct({ state, operationId: 'op-1' });
        const error = conflictOf(() =>
          decideResourceWrite(dataProduct, undefined, resourceWrite({ state: 'CREATING' }), NOW),
        );
        expect(error.details).toMatchObject({ currentState: 'NONE', operationId: 'op-1' });
      },
    );

    it('refuses to move a consistent resource under an operation that is not the running one', () => {
      const error = conflictOf(() =>
        decideResourceWrite(
          running({ operationId: 'op-1' }),
          storedResource({ state: 'CREATED', operationId: 'op-0' }),
          resourceWrite({ state: 'UPDATING', operationId: 'op-0' }),
          NOW,
        ),
      );
      expect(error.details).toMatchObject({ currentState: 'CREATED', operationId: 'op-1' });
      expect(error.message).toContain('op-0');
    });

    it('refuses to create a resource under an operation the data product is not running', () => {
      const error = conflictOf(() =>
        decideResourceWrite(
          running(),
          undefined,
          resourceWrite({ state: 'CREATING', operationId: 'stale' }),
          NOW,
        ),
      );
      expect(error.details).toMatchObject({ currentState: 'NONE', operationId: 'op-1' });
    });

    it('refuses to change a transit resource of the running operation from another operation', () => {
      const error = conflictOf(() =>
        decideResourceWrite(
          running({ operationId: 'op-1' }),
          storedResource({ state: 'CREATING', operationId: 'op-1' }),
          resourceWrite({ state: 'FAILED', operationId: 'op-2' }),
          NOW,
        ),
      );
      expect(error.details).toMatchObject({ currentState: 'CREATING', operationId: 'op-1' });
    });

    it('lets the running operation take over a resource orphaned in transit by an operation that is over', () => {
      const decision = decideResourceWrite(
        running({ operationId: 'op-2' }),
        storedResource({ state: 'CREATING', operationId: 'op-1' }),
        resourceWrite({ state: 'CREATING', operationId: 'op-2' }),
        NOW,
      );
      expect(decision.kind).toBe('write');
      expect(decision.kind === 'write' && decision.note).toBe('taken over from orphaned operation op-1');
      expect(written(decision)).toMatchObject({ state: 'CREATING', operationId: 'op-2' });
    });

    it('lets the operation that owns a transit resource settle it', () => {
      const record = written(
        decideResourceWrite(
          running(),
          storedResource({ state: 'DELETING', operationId: 'op-1' }),
          resourceWrite({ state: 'DELETED' }),
          NOW,
        ),
      );
      expect(record.state).toBe('DELETED');
    });
  });

  describe('fencing a superseded operation, for every transit state', () => {
    // Each case fails if the superseded-operation check in decideResourceWrite is removed.
    const cases = TRANSIT_STATES.flatMap((resourceState) =>
      TRANSIT_STATES.flatMap((dataProductState) =>
        ([RESOURCE_METHOD_STATES_DONE[resourceState], 'FAILED', resourceState] as ResourceState[]).map(
          (to) => [resourceState, dataProductState, to] as const,
        ),
      ),
    );
    it.each(cases)(
      'refuses op-1 moving its %s resource once the data product is %s under op-2 (to %s)',
      (resourceState, dataProductState, to) => {
        const error = conflictOf(() =>
          decideResourceWrite(
            running({ state: dataProductState, operationId: 'op-2' }),
            storedResource({ state: resourceState, operationId: 'op-1', attempt: 1 }),
            resourceWrite({ state: to, operationId: 'op-1', attempt: to === resourceState ? 2 : 1 }),
            NOW,
          ),
        );
        expect(error.message).toContain('superseded by operation op-2');
        expect(error.details).toMatchObject({ currentState: resourceState, operationId: 'op-2' });
      },
    );

    it.each(TRANSIT_STATES)(
      'still lets op-1 settle its %s resource once the data product settled under op-1 itself',
      (resourceState) => {
        const decision = decideResourceWrite(
          storedDataProduct({ state: 'NOT_COMPLETED', operationId: 'op-1' }),
          storedResource({ state: resourceState, operationId: 'op-1' }),
          resourceWrite({ state: 'FAILED', operationId: 'op-1' }),
          NOW,
        );
        expect(written(decision)).toMatchObject({ state: 'FAILED', operationId: 'op-1' });
      },
    );
  });

  describe('fencing by attempt', () => {
    it('refuses a write from an attempt superseded while the resource is in transit', () => {
      const error = conflictOf(() =>
        decideResourceWrite(
          running(),
          storedResource({ state: 'CREATING', attempt: 2 }),
          resourceWrite({ state: 'CREATED', attempt: 1 }),
          NOW,
        ),
      );
      expect(error.details).toMatchObject({ currentState: 'CREATING', attempt: 2 });
    });

    it('refuses a late failure of a superseded attempt after the newer attempt created the resource', () => {
      const error = conflictOf(() =>
        decideResourceWrite(
          running(),
          storedResource({ state: 'CREATED', attempt: 2 }),
          resourceWrite({ state: 'FAILED', attempt: 1, lastError: 'timed out long ago' }),
          NOW,
        ),
      );
      expect(error.details).toMatchObject({ currentState: 'CREATED', attempt: 2 });
    });

    it('refuses a late failure of a superseded attempt after the newer attempt failed', () => {
      const error = conflictOf(() =>
        decideResourceWrite(
          running(),
          storedResource({ state: 'FAILED', attempt: 3, lastError: 'newer' }),
          resourceWrite({ state: 'FAILED', attempt: 2, lastError: 'older' }),
          NOW,
        ),
      );
      expect(error.details).toMatchObject({ currentState: 'FAILED', attempt: 3 });
    });

    it('accepts a re-dispatch of the same transit state as a newer attempt, with a note', () => {
      const decision = decideResourceWrite(
        running(),
        storedResource({ state: 'CREATING', attempt: 1 }),
        resourceWrite({ state: 'CREATING', attempt: 2 }),
        NOW,
      );
      expect(decision).toMatchObject({
        kind: 'write',
        from: 'CREATING',
        note: 're-dispatched as attempt 2',
        record: { state: 'CREATING', attempt: 2 },
      });
    });

    it('keeps the stored attempt when the write names none', () => {
      const record = written(
        decideResourceWrite(
          running(),
          storedResource({ state: 'CREATING', attempt: 3 }),
          resourceWrite({ state: 'CREATED', attempt: undefined }),
          NOW,
        ),
      );
      expect(record.attempt).toBe(3);
    });

    it('starts a new resource at attempt 1 when the write names none', () => {
      const record = written(
        decideResourceWrite(
          running(),
          undefined,
          resourceWrite({ state: 'CREATING', attempt: undefined }),
          NOW,
        ),
      );
      expect(record.attempt).toBe(1);
    });
  });

  describe('idempotent replay', () => {
    it.each(RESOURCE_STATES.filter((state) => state !== 'NONE'))(
      'answers unchanged when %s is written again by the same operation and attempt',
      (state) => {
        const current = storedResource({ state, operationId: 'op-1', attempt: 2 });
        // Even after the data product settled: the replay changes nothing.
        const decision = decideResourceWrite(
          storedDataProduct({ state: 'CREATED', operationId: 'op-1' }),
          current,
          resourceWrite({ state, attempt: 2 }),
          NOW,
        );
        expect(decision).toEqual({ kind: 'unchanged', record: current });
      },
    );
  });

  describe('the record it writes', () => {
    it('needs kind and technology for a resource it has never seen', () => {
      const error = conflictOf(() =>
        decideResourceWrite(
          running(),
          undefined,
          resourceWrite({ state: 'CREATING', kind: undefined, technology: undefined }),
          NOW,
        ),
      );
      expect(error.details.currentState).toBe('NONE');
    });

    it('starts a new resource at revision 0 and seq 0, keyed by its data product', () => {
      const record = written(
        decideResourceWrite(running(), undefined, resourceWrite({ state: 'CREATING' }), NOW),
      );
      expect(record).toEqual({
        dataProduct: REF,
        name: 'raw',
        kind: 'outputPort',
        technology: 's3',
        state: 'CREATING',
        operationId: 'op-1',
        attempt: 1,
        lastError: null,
        info: null,
        applied: null,
        createdAt: NOW,
        updatedAt: NOW,
        seq: 0,
        revision: 0,
      });
    });

    it('carries the revision and seq it read and keeps kind, technology and createdAt', () => {
      const record = written(
        decideResourceWrite(
          running(),
          storedResource({ revision: 3, seq: 5 }),
          resourceWrite({ state: 'CREATED', kind: undefined, technology: undefined }),
          NOW,
        ),
      );
      expect(record).toMatchObject({
        revision: 3,
        seq: 5,
        kind: 'outputPort',
        technology: 's3',
        createdAt: EARLIER,
        updatedAt: NOW,
      });
    });

    it('keeps lastError only for FAILED, with a default when the write gives none', () => {
      const failed = written(
        decideResourceWrite(
          running(),
          storedResource(),
          resourceWrite({ state: 'FAILED', lastError: 'denied' }),
          NOW,
        ),
      );
      expect(failed.lastError).toBe('denied');
      const silent = written(
        decideResourceWrite(running(), storedResource(), resourceWrite({ state: 'FAILED' }), NOW),
      );
      expect(silent.lastError).toBe('failed without an error message');
      const created = written(
        decideResourceWrite(
          running(),
          storedResource(),
          resourceWrite({ state: 'CREATED', lastError: 'stray' }),
          NOW,
        ),
      );
      expect(created.lastError).toBeNull();
    });

    it('clears the previous error when the resource leaves FAILED', () => {
      const record = written(
        decideResourceWrite(
          running(),
          storedResource({ state: 'FAILED', operationId: 'op-0', lastError: 'old' }),
          resourceWrite({ state: 'CREATING' }),
          NOW,
        ),
      );
      expect(record.lastError).toBeNull();
    });

    it('keeps info and the applied descriptor on CREATED', () => {
      const applied = resourceDescriptor('raw', { bucket: 'b' });
      const record = written(
        decideResourceWrite(
          running(),
          storedResource(),
          resourceWrite({ state: 'CREATED', info: { uri: 's3://b/raw' }, applied }),
          NOW,
        ),
      );
      expect(record).toMatchObject({ info: { uri: 's3://b/raw' }, applied });
    });

    it('keeps the previous info and applied descriptor while a new operation updates the resource', () => {
      const applied = resourceDescriptor('raw', { bucket: 'b' });
      const record = written(
        decideResourceWrite(
          running(),
          storedResource({ state: 'CREATED', operationId: 'op-0', info: { uri: 's3://b/raw' }, applied }),
          resourceWrite({ state: 'UPDATING' }),
          NOW,
        ),
      );
      expect(record).toMatchObject({ info: { uri: 's3://b/raw' }, applied });
    });

    it('keeps the previous applied descriptor when an update fails', () => {
      const applied = resourceDescriptor('raw', { bucket: 'b' });
      const record = written(
        decideResourceWrite(
          running(),
          storedResource({ state: 'UPDATING', applied, info: { uri: 's3://b/raw' } }),
          resourceWrite({
            state: 'FAILED',
            lastError: 'x',
            applied: resourceDescriptor('raw', { bucket: 'c' }),
          }),
          NOW,
        ),
      );
      expect(record.applied).toEqual(applied);
      expect(record.info).toEqual({ uri: 's3://b/raw' });
    });

    it('lets an explicit null clear info', () => {
      const record = written(
        decideResourceWrite(
          running(),
          storedResource({ info: { uri: 's3://b/raw' } }),
          resourceWrite({ state: 'CREATED', info: null }),
          NOW,
        ),
      );
      expect(record.info).toBeNull();
    });

    it('clears info and applied on DELETED, whatever the write carries', () => {
      const record = written(
        decideResourceWrite(
          running({ state: 'DELETING' }),
          storedResource({
            state: 'DELETING',
            info: { uri: 's3://b/raw' },
            applied: resourceDescriptor(),
          }),
          resourceWrite({ state: 'DELETED', info: { uri: 'stray' }, applied: resourceDescriptor() }),
          NOW,
        ),
      );
      expect(record).toMatchObject({ state: 'DELETED', info: null, applied: null });
    });
  });
});
