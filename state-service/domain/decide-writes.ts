import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { canDataProductMove, canResourceMove, isTransit } from '../../shared/state/lifecycle.js';
import type {
  DataProductRecord,
  DataProductWrite,
  ResourceRecord,
  ResourceWrite,
} from '../../shared/state/records.js';

/**
 * Pure decisions of the state service: given what is stored and what a caller
 * asks for, the record to write — or `unchanged` for an idempotent replay —
 * or a ConflictError naming the current state. The caller writes the result
 * conditionally on the revision it read, so two writers can never both win.
 */
export type Decision<T> = { kind: 'write'; record: T } | { kind: 'unchanged'; record: T };

export function decideDataProductWrite(
  current: DataProductRecord | undefined,
  write: DataProductWrite,
  now: string,
): Decision<DataProductRecord> {
  const from = current?.state ?? 'NONE';
  if (current && current.state === write.state && current.operationId === write.operationId) {
    return { kind: 'unchanged', record: current };
  }
  if (!canDataProductMove(from, write.state)) {
    throw new ConflictError(`data product is ${from}; it cannot move to ${write.state}`, {
      currentState: from,
      operationId: current?.operationId ?? null,
    });
  }
  if (current && isTransit(current.state) && current.operationId !== write.operationId) {
    throw new ConflictError(
      `data product is ${from} under operation ${current.operationId}; operation ${write.operationId} cannot change it`,
      { currentState: from, operationId: current.operationId },
    );
  }
  return {
    kind: 'write',
    record: {
      environment: write.environment,
      domain: write.domain,
      name: write.name,
      version: write.version,
      state: write.state,
      operationId: write.operationId,
      descriptor: write.descriptor ?? current?.descriptor ?? null,
      lastError:
        write.state === 'FAILED' || write.state === 'NOT_COMPLETED' ? (write.lastError ?? null) : null,
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
      revision: (current?.revision ?? 0) + 1,
    },
  };
}

export function decideResourceWrite(
  dataProduct: DataProductRecord | undefined,
  current: ResourceRecord | undefined,
  write: ResourceWrite,
  now: string,
): Decision<ResourceRecord> {
  if (!dataProduct) {
    throw new NotFoundError(
      `data product ${write.environment}/${write.domain}/${write.dataProduct}/${write.version} is unknown`,
    );
  }
  const from = current?.state ?? 'NONE';
  if (current && current.state === write.state && current.operationId === write.operationId) {
    return { kind: 'unchanged', record: current };
  }
  if (!canResourceMove(from, write.state)) {
    throw new ConflictError(`resource ${write.name} is ${from}; it cannot move to ${write.state}`, {
      currentState: from,
      operationId: current?.operationId ?? null,
    });
  }
  if (current && isTransit(current.state)) {
    if (current.operationId !== write.operationId) {
      throw new ConflictError(
        `resource ${write.name} is ${from} under operation ${current.operationId}; operation ${write.operationId} cannot change it`,
        { currentState: from, operationId: current.operationId },
      );
    }
  } else if (!isTransit(dataProduct.state) || dataProduct.operationId !== write.operationId) {
    throw new ConflictError(
      `operation ${write.operationId} is not the running operation of the data product (${dataProduct.state}, operation ${dataProduct.operationId})`,
      { currentState: from, operationId: dataProduct.operationId },
    );
  }
  const kind = write.kind ?? current?.kind;
  const technology = write.technology ?? current?.technology;
  if (!kind || !technology) {
    throw new ConflictError(`resource ${write.name} is new: its kind and technology are required`, {
      currentState: from,
    });
  }
  return {
    kind: 'write',
    record: {
      dataProduct: {
        environment: write.environment,
        domain: write.domain,
        name: write.dataProduct,
        version: write.version,
      },
      name: write.name,
      kind,
      technology,
      state: write.state,
      operationId: write.operationId,
      lastError: write.state === 'FAILED' ? (write.lastError ?? 'failed without an error message') : null,
      info: infoAfter(write, current),
      applied:
        write.state === 'CREATED'
          ? (write.applied ?? current?.applied ?? null)
          : write.state === 'DELETED'
            ? null
            : (current?.applied ?? null),
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
      revision: (current?.revision ?? 0) + 1,
    },
  };
}

function infoAfter(
  write: ResourceWrite,
  current: ResourceRecord | undefined,
): Record<string, unknown> | null {
  if (write.state === 'DELETED') return null;
  if (write.info !== undefined) return write.info;
  return current?.info ?? null;
}
