import { allResources, type DataProductRef } from '../shared/descriptor/types.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import type {
  DataProductRecord,
  DataProductStateDocument,
  DataProductWrite,
  ResourceRecord,
  ResourceWrite,
} from '../shared/state/records.js';
import { type Decision, decideDataProductWrite, decideResourceWrite } from './domain/decide-writes.js';
import type { StateStore } from './store/state-store.js';

/** How often a write re-reads and re-decides after losing a race, before giving up with 409. */
const MAX_WRITE_ATTEMPTS = 5;

export interface WriteResult<T> {
  record: T;
  changed: boolean;
}

export class StateUseCases {
  constructor(
    private readonly store: StateStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async getDataProduct(ref: DataProductRef): Promise<DataProductStateDocument> {
    const [record, resources] = await Promise.all([
      this.store.getDataProduct(ref),
      this.store.listResources(ref),
    ]);
    if (!record) throw new NotFoundError(`data product ${describe(ref)} is unknown`);
    const { revision: _revision, ...dataProduct } = record;
    return { ...dataProduct, resources: resources.map(({ revision: _r, dataProduct: _d, ...rest }) => rest) };
  }

  async getResource(ref: DataProductRef, name: string): Promise<Omit<ResourceRecord, 'revision'>> {
    const [dataProduct, resource] = await Promise.all([
      this.store.getDataProduct(ref),
      this.store.getResource(ref, name),
    ]);
    if (!dataProduct) throw new NotFoundError(`data product ${describe(ref)} is unknown`);
    if (resource) {
      const { revision: _revision, ...rest } = resource;
      return rest;
    }
    const declared = dataProduct.descriptor && findDeclared(dataProduct, name);
    if (!declared) throw new NotFoundError(`resource ${name} is not part of data product ${describe(ref)}`);
    return {
      dataProduct: ref,
      name,
      kind: declared.kind,
      technology: declared.technology,
      state: 'NONE',
      operationId: null,
      lastError: null,
      info: null,
      applied: null,
      createdAt: dataProduct.createdAt,
      updatedAt: dataProduct.updatedAt,
    };
  }

  writeDataProduct(write: DataProductWrite): Promise<WriteResult<DataProductRecord>> {
    return this.decideAndWrite(
      () => this.store.getDataProduct(write),
      (current) => decideDataProductWrite(current, write, this.now()),
      (record, revision) => this.store.putDataProduct(record, revision),
    );
  }

  writeResource(write: ResourceWrite): Promise<WriteResult<ResourceRecord>> {
    const ref = {
      environment: write.environment,
      domain: write.domain,
      name: write.dataProduct,
      version: write.version,
    };
    return this.decideAndWrite(
      async () => ({
        dataProduct: await this.store.getDataProduct(ref),
        resource: await this.store.getResource(ref, write.name),
      }),
      ({ dataProduct, resource }) => decideResourceWrite(dataProduct, resource, write, this.now()),
      (record, revision) => this.store.putResource(record, revision),
      ({ resource }) => resource?.revision ?? 0,
    );
  }

  /** Read, decide, write conditionally; on a lost race read again, so the decision is made on what won. */
  private async decideAndWrite<C, T extends { revision: number }>(
    read: () => Promise<C>,
    decide: (current: C) => Decision<T>,
    put: (record: T, expectedRevision: number) => Promise<void>,
    revisionOf: (current: C) => number = (current) =>
      (current as { revision?: number } | undefined)?.revision ?? 0,
  ): Promise<WriteResult<T>> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await read();
      const decision = decide(current);
      if (decision.kind === 'unchanged') return { record: decision.record, changed: false };
      try {
        await put(decision.record, revisionOf(current));
        return { record: decision.record, changed: true };
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= MAX_WRITE_ATTEMPTS) throw error;
      }
    }
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

function describe(ref: DataProductRef): string {
  return `${ref.environment}/${ref.domain}/${ref.name}/${ref.version}`;
}

function findDeclared(record: DataProductRecord, name: string) {
  return record.descriptor
    ? allResources(record.descriptor).find((resource) => resource.name === name)
    : undefined;
}
