import { describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import type { DataProductDescriptor, ResourceDescriptor } from '../../shared/descriptor/types.js';
import { ConflictError, ForbiddenError } from '../../shared/errors.js';
import type {
  DataProductRecord,
  OperationStep,
  ResourceRecord,
  ResourceWrite,
} from '../../shared/state/records.js';
import {
  assertHeartbeatInScope,
  assertWriteInScope,
  type WriterScope,
  writerScopeOf,
} from '../../state-service/domain/resource-write-scope.js';

const NOW = '2024-05-01T12:00:00.000Z';
const REF = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };
const S3: WriterScope = { technologies: ['s3', 's3cdp'] };
const OBSERVABILITY: WriterScope = { technologies: ['aws-lambda'], kinds: ['observability'] };

const declared = (name: string, technology: string, kind: ResourceDescriptor['kind'] = 'outputPort') => ({
  kind,
  name,
  type: 'raw',
  technology,
  allow: [],
  dependsOn: [],
  specific: {},
});

const descriptor: DataProductDescriptor = {
  ...REF,
  environment: { name: 'test', specific: {} },
  outputPorts: [declared('raw', 's3'), declared('events', 'event-store')],
  workloads: [declared('job', 'aws-lambda', 'workload')],
  observability: [declared('quality', 'aws-lambda', 'observability')],
};

const step = (name: string, action: OperationStep['action'] = 'create'): OperationStep => ({
  name,
  action,
  method: action === 'create' ? 'POST' : action === 'update' ? 'PUT' : action === 'delete' ? 'DELETE' : null,
  waitsFor: [],
});

const dataProduct = (steps: OperationStep[], fields: Partial<DataProductRecord> = {}): DataProductRecord => ({
  ...REF,
  state: 'CREATING',
  operationId: 'op-1',
  descriptor,
  operation: { kind: 'deploy', removeData: false, steps, startedAt: NOW, cancelRequested: false },
  lastError: null,
  rootCauses: [],
  createdAt: NOW,
  updatedAt: NOW,
  seq: 1,
  revision: 1,
  ...fields,
});

const stored = (
  name: string,
  technology: string,
  kind: ResourceRecord['kind'] = 'outputPort',
): ResourceRecord => ({
  dataProduct: REF,
  name,
  kind,
  technology,
  state: 'CREATED',
  operationId: 'op-0',
  attempt: 1,
  lastError: null,
  info: null,
  applied: null,
  createdAt: NOW,
  updatedAt: NOW,
  seq: 1,
  revision: 1,
});

const write = (name: string, fields: Partial<ResourceWrite> = {}): ResourceWrite => ({
  environment: 'test',
  domain: 'sales',
  dataProduct: 'orders',
  version: '1.0.0',
  name,
  state: 'CREATING',
  operationId: 'op-1',
  attempt: 1,
  ...fields,
});

describe('writerScopeOf', () => {
  const principal = (fields: Partial<Principal>): Principal => ({
    id: 'x',
    name: 'x',
    role: 'microservice',
    domains: ['*'],
    ...fields,
  });

  it('scopes a microservice to its technologies and kinds, and an unbound one to nothing', () => {
    expect(writerScopeOf(principal({ technologies: ['aws-lambda'], kinds: ['workload'] }))).toEqual({
      technologies: ['aws-lambda'],
      kinds: ['workload'],
    });
    expect(writerScopeOf(principal({}))).toEqual({ technologies: [] });
  });

  it('leaves the provisioner unscoped: it records failures of any resource', () => {
    expect(writerScopeOf(principal({ role: 'provisioner' }))).toBeUndefined();
  });
});

describe('assertWriteInScope', () => {
  it('lets a microservice write a resource of its technology that the running operation dispatches', () => {
    const record = dataProduct([step('raw')]);
    expect(() =>
      assertWriteInScope(record, undefined, write('raw', { technology: 's3', kind: 'outputPort' }), S3),
    ).not.toThrow();
    // The outcome write names neither: the stored identity stands.
    expect(() =>
      assertWriteInScope(record, stored('raw', 's3'), write('raw', { state: 'CREATED' }), S3),
    ).not.toThrow();
  });

  it('refuses a resource of another technology, even when the write claims one of its own (403)', () => {
    const record = dataProduct([step('events')]);
    expect(() => assertWriteInScope(record, undefined, write('events', { technology: 's3' }), S3)).toThrow(
      ForbiddenError,
    );
    expect(() => assertWriteInScope(record, undefined, write('events'), S3)).toThrow(
      /this credential writes s3, s3cdp resources; resource events is a event-store outputPort/,
    );
  });

  it('refuses a resource the running operation does not dispatch, or the descriptor does not declare (403)', () => {
    expect(() =>
      assertWriteInScope(dataProduct([step('raw')]), undefined, write('invented', { technology: 's3' }), S3),
    ).toThrow(/resource invented is not dispatched by operation op-1/);
    expect(() => assertWriteInScope(dataProduct([step('raw', 'noop')]), undefined, write('raw'), S3)).toThrow(
      ForbiddenError,
    );
    expect(() =>
      assertWriteInScope(dataProduct([step('ghost')]), undefined, write('ghost', { technology: 's3' }), S3),
    ).toThrow(/not declared by the data product's stored descriptor/);
  });

  it('binds aws-lambda to the kinds the credential serves', () => {
    const record = dataProduct([step('quality'), step('job')]);
    expect(() =>
      assertWriteInScope(
        record,
        undefined,
        write('quality', { technology: 'aws-lambda', kind: 'observability' }),
        OBSERVABILITY,
      ),
    ).not.toThrow();
    expect(() =>
      assertWriteInScope(
        record,
        undefined,
        write('job', { technology: 'aws-lambda', kind: 'workload' }),
        OBSERVABILITY,
      ),
    ).toThrow(ForbiddenError);
  });

  it('refuses a write that disagrees with the stored descriptor on technology or kind (409)', () => {
    const record = dataProduct([step('raw')]);
    expect(() => assertWriteInScope(record, undefined, write('raw', { technology: 's3cdp' }), S3)).toThrow(
      ConflictError,
    );
    expect(() => assertWriteInScope(record, undefined, write('raw', { kind: 'workload' }), S3)).toThrow(
      /resource raw is a s3 outputPort by the stored descriptor, not a s3 workload/,
    );
  });

  it('judges a resource being deleted by its stored record, which the descriptor may no longer declare', () => {
    const record = dataProduct([step('old', 'delete')]);
    expect(() =>
      assertWriteInScope(record, stored('old', 's3'), write('old', { state: 'DELETING' }), S3),
    ).not.toThrow();
    expect(() =>
      assertWriteInScope(
        record,
        stored('old', 'event-store'),
        write('old', { state: 'DELETING', technology: 's3' }),
        S3,
      ),
    ).toThrow(ForbiddenError);
  });

  it('refuses a write under another operation than the data product’s (409, fencing)', () => {
    expect(() =>
      assertWriteInScope(dataProduct([step('raw')]), undefined, write('raw', { operationId: 'op-0' }), S3),
    ).toThrow(
      expect.objectContaining({ name: 'Conflict', details: { currentState: 'NONE', operationId: 'op-1' } }),
    );
    expect(() =>
      assertWriteInScope(dataProduct([], { operation: null }), undefined, write('raw'), S3),
    ).toThrow(ConflictError);
  });

  it('leaves an unknown data product to the write decision (404)', () => {
    expect(() => assertWriteInScope(undefined, undefined, write('raw'), S3)).not.toThrow();
  });
});

describe('assertHeartbeatInScope', () => {
  it('lets only a credential that could write the resource keep its work alive', () => {
    expect(() => assertHeartbeatInScope(stored('raw', 's3'), S3)).not.toThrow();
    expect(() => assertHeartbeatInScope(stored('events', 'event-store'), S3)).toThrow(ForbiddenError);
    expect(() => assertHeartbeatInScope(stored('job', 'aws-lambda', 'workload'), OBSERVABILITY)).toThrow(
      ForbiddenError,
    );
  });
});
