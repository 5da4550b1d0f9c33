import { allResources, type DataProductRef } from '../../shared/descriptor/types.js';
import type { LifecycleState } from '../../shared/state/lifecycle.js';
import type { DataProductStateDocument, RootCause } from '../../shared/state/records.js';

export interface PublicResourceState {
  name: string;
  kind: string;
  technology: string;
  state: string;
  updatedAt: string | null;
  lastError: string | null;
  /** The resource that stopped this one from being attempted, when it was not. */
  blockedBy: string | null;
  info: Record<string, unknown> | null;
}

export interface PublicDataProductState extends DataProductRef {
  state: LifecycleState;
  updatedAt: string;
  operationId: string | null;
  lastError: string | null;
  rootCauses: RootCause[];
  cancelRequested: boolean;
  /** Grows with every transition of the data product or a resource: pass it as `changedAfter` to wait for the next. */
  historySeq: number;
  resources: PublicResourceState[];
}

/** What anyone may read of a data product: states, errors, root causes and the info consumers need. */
export function publicState(stored: DataProductStateDocument): PublicDataProductState {
  const records = new Map(stored.resources.map((record) => [record.name, record]));
  const blockedBy = new Map(
    stored.rootCauses.flatMap((cause) => (cause.blockedBy ? [[cause.resource, cause.blockedBy]] : [])),
  );
  const declared = stored.descriptor ? allResources(stored.descriptor).map((resource) => resource.name) : [];
  const names = [...new Set([...declared, ...records.keys()])];
  const kinds = new Map(
    (stored.descriptor ? allResources(stored.descriptor) : []).map((resource) => [resource.name, resource]),
  );
  return {
    environment: stored.environment,
    domain: stored.domain,
    name: stored.name,
    version: stored.version,
    state: stored.state,
    updatedAt: stored.updatedAt,
    operationId: stored.operationId,
    lastError: stored.lastError,
    rootCauses: stored.rootCauses ?? [],
    cancelRequested: stored.operation?.cancelRequested ?? false,
    historySeq: stored.historySeq ?? 0,
    resources: names.map((name) => {
      const record = records.get(name);
      const declaredResource = kinds.get(name);
      return {
        name,
        kind: record?.kind ?? declaredResource?.kind ?? 'outputPort',
        technology: record?.technology ?? declaredResource?.technology ?? 'unknown',
        state: record?.state ?? 'NONE',
        updatedAt: record?.updatedAt ?? null,
        lastError: record?.lastError ?? null,
        blockedBy: blockedBy.get(name) ?? null,
        info: record?.info ?? null,
      };
    }),
  };
}
