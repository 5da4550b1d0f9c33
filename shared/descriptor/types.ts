/** The data-product descriptor (thesis figure 5.7), after normalisation. */

export const RESOURCE_KINDS = ['outputPort', 'workload', 'observability'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** The list of the descriptor that holds each kind of resource. */
export const RESOURCE_LISTS = {
  outputPorts: 'outputPort',
  workloads: 'workload',
  observability: 'observability',
} as const satisfies Record<string, ResourceKind>;
export type ResourceListName = keyof typeof RESOURCE_LISTS;

export interface DataProductRef {
  environment: string;
  domain: string;
  name: string;
  version: string;
}

export interface ResourceDescriptor {
  kind: ResourceKind;
  name: string;
  type: string;
  technology: string;
  description?: string;
  owner?: string;
  allow: string[];
  dependsOn: string[];
  specific: Record<string, unknown>;
}

export interface DataProductDescriptor {
  name: string;
  domain: string;
  version: string;
  environment: { name: string; specific: Record<string, unknown> };
  outputPorts: ResourceDescriptor[];
  workloads: ResourceDescriptor[];
  observability: ResourceDescriptor[];
}

export function refOf(descriptor: DataProductDescriptor): DataProductRef {
  return {
    environment: descriptor.environment.name,
    domain: descriptor.domain,
    name: descriptor.name,
    version: descriptor.version,
  };
}

export function allResources(descriptor: DataProductDescriptor): ResourceDescriptor[] {
  return [...descriptor.outputPorts, ...descriptor.workloads, ...descriptor.observability];
}

/** A stable, readable key for a data product, used as the DynamoDB partition key. */
export function dataProductKey(ref: DataProductRef): string {
  return [ref.environment, ref.domain, ref.name, ref.version].join('#');
}

export function dataProductPath(ref: DataProductRef): string {
  return [ref.environment, ref.domain, ref.name, ref.version].map(encodeURIComponent).join('/');
}

/** How a data product is named in messages: environment/domain/name/version. */
export function describeRef(ref: DataProductRef): string {
  return [ref.environment, ref.domain, ref.name, ref.version].join('/');
}

/** A descriptor with no resources, for a data product known only by its reference. */
export function emptyDescriptor(ref: DataProductRef): DataProductDescriptor {
  return {
    name: ref.name,
    domain: ref.domain,
    version: ref.version,
    environment: { name: ref.environment, specific: {} },
    outputPorts: [],
    workloads: [],
    observability: [],
  };
}
