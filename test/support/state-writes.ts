import type { DataProductRef, ResourceDescriptor, ResourceKind } from '../../shared/descriptor/types.js';
import type { DataProductWrite, ResourceWrite } from '../../shared/state/records.js';
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

/** A resource as a data product's descriptor declares it, for the state service's scope checks. */
export interface DeclaredResource {
  name: string;
  kind?: ResourceKind;
  technology: string;
}

/**
 * The provisioner's first write of a deploy, as it sends it: the data product
 * in transit under `operationId`, its descriptor declaring `resources`, one
 * create step each. A microservice may write only resources so declared and
 * dispatched, of its own technologies.
 */
export function deployWrite(
  ref: DataProductRef,
  resources: readonly DeclaredResource[],
  operationId = 'op-1',
): DataProductWrite {
  const declared = (kind: ResourceKind) =>
    resources
      .filter((resource) => (resource.kind ?? 'outputPort') === kind)
      .map(
        (resource): ResourceDescriptor => ({
          kind,
          name: resource.name,
          type: 'raw',
          technology: resource.technology,
          allow: [],
          dependsOn: [],
          specific: {},
        }),
      );
  return {
    ...ref,
    state: 'CREATING',
    operationId,
    descriptor: {
      name: ref.name,
      domain: ref.domain,
      version: ref.version,
      environment: { name: ref.environment, specific: {} },
      outputPorts: declared('outputPort'),
      workloads: declared('workload'),
      observability: declared('observability'),
    },
    operation: {
      kind: 'deploy',
      removeData: false,
      startedAt: new Date().toISOString(),
      steps: resources.map(({ name }) => ({ name, action: 'create', method: 'POST', waitsFor: [] })),
    },
  };
}
