import { dump } from 'js-yaml';

export interface TestResource {
  name: string;
  technology?: string;
  dependsOn?: string[];
  specific?: Record<string, unknown>;
  allow?: string[];
  owner?: string;
}

/** A descriptor in YAML with output ports only, as a domain team would write it. */
export function descriptorYaml(name: string, resources: TestResource[], version = '1.0.0'): string {
  return dump({
    name,
    domain: 'sales',
    version,
    environment: { name: 'test', specific: {} },
    outputPorts: resources.map((resource) => ({
      name: resource.name,
      type: 'raw',
      technology: resource.technology ?? 'gated',
      description: `resource ${resource.name}`,
      owner: resource.owner ?? 'sales-owner',
      allow: resource.allow ?? ['sales-reader'],
      dependsOn: resource.dependsOn ?? [],
      specific: resource.specific ?? {},
    })),
    workloads: [],
    observability: [],
  });
}

export const statePath = (name: string, version = '1.0.0') =>
  `/v1/dataproduct/state/test/sales/${name}/${version}`;
