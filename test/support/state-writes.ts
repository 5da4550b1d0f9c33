import type { DataProductRef } from '../../shared/descriptor/types.js';
import type { ResourceWrite } from '../../shared/state/records.js';
import type { StateUseCases } from '../../state-service/state-use-cases.js';

/** The provisioner's first write: the data product in transit under `op-1`, one create step per name. */
export function startDeploy(useCases: StateUseCases, ref: DataProductRef, names: string[]) {
  return useCases.writeDataProduct({
    ...ref,
    state: 'CREATING',
    operationId: 'op-1',
    operation: {
      kind: 'deploy',
      removeData: false,
      startedAt: new Date().toISOString(),
      steps: names.map((name) => ({ name, action: 'create', method: 'POST', waitsFor: [] })),
    },
  });
}

/** A microservice's write of one resource of `ref` under `op-1`. */
export function resourceWrite(
  ref: DataProductRef,
  name: string,
  state: 'CREATING' | 'CREATED',
  attempt = 1,
): ResourceWrite {
  return {
    environment: ref.environment,
    domain: ref.domain,
    dataProduct: ref.name,
    version: ref.version,
    name,
    kind: 'outputPort',
    technology: 'gated',
    state,
    operationId: 'op-1',
    attempt,
  };
}
