import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type { DataProductStateDocument } from '../../shared/state/records.js';
import type { StateClient } from '../../shared/state/state-client.js';
import type { Operation } from './operation.js';

/**
 * The last `info` seen of each resource of a running operation, handed to the
 * resources that depend on it (a workload gets the s3:// URI of the folder it
 * reads). Every state document the runner reads updates it; a dependency left
 * unchanged by this operation costs one state read.
 */
export class DependencyInfo {
  private readonly seen = new WeakMap<Operation, Map<string, Record<string, unknown>>>();

  constructor(private readonly state: StateClient) {}

  remember(operation: Operation, document: DataProductStateDocument): void {
    const seen = this.seen.get(operation) ?? new Map<string, Record<string, unknown>>();
    // A resource without info is remembered too: a dependency with nothing to tell must not cost a read per dependent.
    for (const record of document.resources) seen.set(record.name, record.info ?? {});
    this.seen.set(operation, seen);
  }

  /** What `resource` is told of those it depends on: their kind, technology and info. */
  async of(operation: Operation, resource: ResourceDescriptor): Promise<ResourceRequest['dependencies']> {
    if (resource.dependsOn.length === 0) return {};
    let seen = this.seen.get(operation);
    if (!seen || resource.dependsOn.some((name) => !seen?.has(name))) {
      const document = await this.state.getDataProduct(operation.ref).catch(() => undefined);
      if (document) this.remember(operation, document);
      seen = this.seen.get(operation);
    }
    const dependencies: NonNullable<ResourceRequest['dependencies']> = {};
    for (const name of resource.dependsOn) {
      const dependency = operation.resources.get(name);
      if (!dependency) continue;
      dependencies[name] = {
        kind: dependency.kind,
        technology: dependency.technology,
        info: seen?.get(name) ?? {},
      };
    }
    return dependencies;
  }
}
