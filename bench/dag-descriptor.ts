import { dump } from 'js-yaml';
import { BENCH_ENVIRONMENT } from './bench-platform.js';
import { SLEEPY_TECHNOLOGY } from './sleepy-technology.js';

export const BENCH_DOMAIN = 'bench';

export interface DagShape {
  resources: number;
  depth: number;
}

/**
 * `resources` resources in `depth` levels of (nearly) equal width; each
 * resource below the first level depends on two of the level above (its
 * column and the next), so the critical path is exactly `depth` resources long.
 */
export function dagResources({ resources, depth }: DagShape): { name: string; dependsOn: string[] }[] {
  const levels: string[][] = [];
  for (let level = 0; level < depth; level += 1) {
    const width = Math.floor(resources / depth) + (level < resources % depth ? 1 : 0);
    levels.push(Array.from({ length: width }, (_, column) => `r${level}_${column}`));
  }
  return levels.flatMap((names, level) =>
    names.map((name, column) => {
      const above = levels[level - 1] ?? [];
      const parents =
        above.length === 0 ? [] : [above[column % above.length], above[(column + 1) % above.length]];
      return { name, dependsOn: [...new Set(parents as string[])] };
    }),
  );
}

/** The data product descriptor (YAML, as a domain team posts it) of such a DAG of synthetic resources. */
export function dagDescriptorYaml(name: string, shape: DagShape): string {
  return dump({
    name,
    domain: BENCH_DOMAIN,
    version: '1.0.0',
    environment: { name: BENCH_ENVIRONMENT, specific: {} },
    outputPorts: dagResources(shape).map((resource) => ({
      name: resource.name,
      type: 'synthetic',
      technology: SLEEPY_TECHNOLOGY,
      description: `benchmark resource ${resource.name}`,
      owner: 'bench-owner',
      allow: ['bench-reader'],
      dependsOn: resource.dependsOn,
      specific: {},
    })),
    workloads: [],
    observability: [],
  });
}

export function statePathOf(name: string): string {
  return `/v1/dataproduct/state/${BENCH_ENVIRONMENT}/${BENCH_DOMAIN}/${name}/1.0.0`;
}
