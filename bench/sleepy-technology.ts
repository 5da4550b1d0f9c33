import type { ResourceDescriptor } from '../shared/descriptor/types.js';
import type { ValidationIssue } from '../shared/errors.js';
import type { ResourceRequest } from '../shared/microservice/resource-request.js';
import type { ResourceInfo, TechnologyProvisioner } from '../shared/microservice/technology-provisioner.js';

export const SLEEPY_TECHNOLOGY = 'sleepy';

/**
 * The benchmark's synthetic technology: every create, update or delete takes
 * `workMs` and touches nothing else, so what the benchmark measures is the
 * platform around the work. It records how many resources work at once, which
 * tells whether a dispatch limit holds.
 */
export class SleepyTechnology implements TechnologyProvisioner {
  readonly technologies = [SLEEPY_TECHNOLOGY] as const;
  readonly immutableSpecific = [] as const;
  private working = 0;
  /** The most resources that were working at the same moment. */
  maxConcurrent = 0;

  constructor(private readonly workMs: number) {}

  validate(_request: ResourceRequest): ValidationIssue[] {
    return [];
  }

  create(request: ResourceRequest): Promise<ResourceInfo> {
    return this.work(request);
  }

  update(request: ResourceRequest): Promise<ResourceInfo> {
    return this.work(request);
  }

  async remove(request: ResourceRequest, _previous: ResourceDescriptor | null): Promise<void> {
    await this.work(request);
  }

  private async work(request: ResourceRequest): Promise<ResourceInfo> {
    this.working += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.working);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.workMs));
      return { resource: request.resource.name };
    } finally {
      this.working -= 1;
    }
  }
}
