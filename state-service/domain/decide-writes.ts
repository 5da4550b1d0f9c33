import { ConflictError, NotFoundError } from '../../shared/errors.js';
import {
  canDataProductMove,
  canResourceMove,
  isTransit,
  type LifecycleState,
} from '../../shared/state/lifecycle.js';
import type {
  DataProductRecord,
  DataProductWrite,
  ResourceRecord,
  ResourceWrite,
} from '../../shared/state/records.js';

/**
 * Pure decisions of the state service: given what is stored and what a caller
 * asks for, the record to write — or `unchanged` for an idempotent replay —
 * or a ConflictError naming the current state. The caller appends the change
 * to the history and writes it conditionally, so two writers never both win.
 * `seq` and `revision` of the returned record are set by the caller.
 */
export type Decision<T> =
  | { kind: 'write'; record: T; from: LifecycleState; note?: string }
  | { kind: 'unchanged'; record: T };

export function decideDataProductWrite(
  current: DataProductRecord | undefined,
  write: DataProductWrite,
  now: string,
): Decision<DataProductRecord> {
  const from = current?.state ?? 'NONE';
  if (current && current.state === write.state && current.operationId === write.operationId) {
    const note = write.lastError === undefined ? current.lastError : write.lastError;
    if (!isTransit(current.state) || note === current.lastError)
      return { kind: 'unchanged', record: current };
    // The running operation's progress note (a resource waiting for its microservice): no transition, but
    // recorded in the history like one, so the state shows it and the history says when it waited.
    return {
      kind: 'write',
      from,
      note: note ? `progress: ${note}` : 'progress: no longer waiting',
      record: { ...current, lastError: note, updatedAt: now },
    };
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
  if (current && !isTransit(current.state) && current.operationId === write.operationId) {
    // A late or replayed request of an operation that already settled must not re-open the data product.
    throw new ConflictError(
      `operation ${write.operationId} already ran on the data product (${from}); a new operation needs a new operationId`,
      { currentState: from, operationId: current.operationId },
    );
  }
  const entersTransit = isTransit(write.state);
  const settles = write.state === 'FAILED' || write.state === 'NOT_COMPLETED';
  return {
    kind: 'write',
    from,
    record: {
      environment: write.environment,
      domain: write.domain,
      name: write.name,
      version: write.version,
      state: write.state,
      operationId: write.operationId,
      descriptor: write.descriptor ?? current?.descriptor ?? null,
      operation: entersTransit
        ? write.operation
          ? { ...write.operation, cancelRequested: false }
          : null
        : (current?.operation ?? null),
      lastError: settles ? (write.lastError ?? null) : null,
      rootCauses: settles ? (write.rootCauses ?? []) : [],
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
      seq: current?.seq ?? 0,
      revision: current?.revision ?? 0,
    },
  };
}

/** Asks the running operation to stop dispatching; only a data product in transit has one to stop. */
export function decideCancel(
  current: DataProductRecord | undefined,
  now: string,
): Decision<DataProductRecord> {
  if (!current) throw new NotFoundError('the data product is unknown');
  if (!isTransit(current.state) || !current.operation) {
    throw new ConflictError(`data product is ${current.state}: there is no running operation to cancel`, {
      currentState: current.state,
      operationId: current.operationId,
    });
  }
  if (current.operation.cancelRequested) return { kind: 'unchanged', record: current };
  return {
    kind: 'write',
    from: current.state,
    note: 'cancel requested',
    record: { ...current, operation: { ...current.operation, cancelRequested: true }, updatedAt: now },
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
  const attempt = write.attempt ?? current?.attempt ?? 1;
  const sameOperation = current?.operationId === write.operationId;
  if (current && sameOperation && current.state === write.state && attempt === current.attempt) {
    return { kind: 'unchanged', record: current };
  }
  // A superseded attempt stays fenced out after the newer one settled, not only while it is in transit.
  if (current && sameOperation && attempt < current.attempt) {
    throw new ConflictError(
      `attempt ${attempt} of resource ${write.name} was superseded by attempt ${current.attempt}`,
      { currentState: from, operationId: current.operationId, attempt: current.attempt },
    );
  }
  // A superseded operation's late word on a resource it left in transit, once another operation runs the data
  // product: the new operation owns what happens next (it takes the resource over as orphaned).
  if (
    current &&
    sameOperation &&
    isTransit(current.state) &&
    isTransit(dataProduct.state) &&
    dataProduct.operationId !== write.operationId
  ) {
    throw new ConflictError(
      `operation ${write.operationId} was superseded by operation ${dataProduct.operationId}; it cannot change resource ${write.name}`,
      { currentState: from, operationId: dataProduct.operationId },
    );
  }
  let note: string | undefined;
  // A resource left in transit by an operation that is over (its data product has moved on) is orphaned:
  // the running operation may take it over as if it had FAILED, so nothing ever stays stuck.
  const orphaned =
    current !== undefined &&
    isTransit(current.state) &&
    !sameOperation &&
    current.operationId !== dataProduct.operationId &&
    isTransit(dataProduct.state) &&
    dataProduct.operationId === write.operationId;
  if (current && isTransit(current.state) && !orphaned) {
    if (!sameOperation) {
      throw new ConflictError(
        `resource ${write.name} is ${from} under operation ${current.operationId}; operation ${write.operationId} cannot change it`,
        { currentState: from, operationId: current.operationId },
      );
    }
    if (current.state === write.state && attempt > current.attempt)
      note = `re-dispatched as attempt ${attempt}`;
  } else if (orphaned) {
    if (!canResourceMove('FAILED', write.state)) {
      throw new ConflictError(
        `resource ${write.name} is orphaned in ${from}; it can only be created, updated, deleted or failed`,
        {
          currentState: from,
          operationId: current?.operationId ?? null,
        },
      );
    }
    note = `taken over from orphaned operation ${current?.operationId}`;
  } else if (!isTransit(dataProduct.state) || dataProduct.operationId !== write.operationId) {
    throw new ConflictError(
      `operation ${write.operationId} is not the running operation of the data product (${dataProduct.state}, operation ${dataProduct.operationId})`,
      { currentState: from, operationId: dataProduct.operationId },
    );
  }
  if (!note && !canResourceMove(from, write.state)) {
    throw new ConflictError(`resource ${write.name} is ${from}; it cannot move to ${write.state}`, {
      currentState: from,
      operationId: current?.operationId ?? null,
    });
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
    from,
    ...(note ? { note } : {}),
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
      attempt,
      lastError: write.state === 'FAILED' ? (write.lastError ?? 'failed without an error message') : null,
      info: infoAfter(write, current),
      applied: appliedAfter(write, current),
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
      seq: current?.seq ?? 0,
      revision: current?.revision ?? 0,
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

function appliedAfter(write: ResourceWrite, current: ResourceRecord | undefined) {
  if (write.state === 'DELETED') return null;
  if (write.state === 'CREATED' && write.applied) return write.applied;
  return current?.applied ?? null;
}
