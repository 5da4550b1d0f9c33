import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ValidationIssue } from '../../shared/errors.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type {
  ResourceInfo,
  TechnologyProvisioner,
} from '../../shared/microservice/technology-provisioner.js';
import type { ResourceMethod } from '../../shared/state/lifecycle.js';

export interface RecordedCall {
  method: ResourceMethod;
  resource: string;
  operationId: string;
  attempt: number;
  startedAt: number;
  dependencies: ResourceRequest['dependencies'];
}

/**
 * A test technology (`gated` by default) run by the real microservice kit:
 * work on a held resource (or on every resource, after `close()`) waits until
 * the test releases it; work fails when `specific.fail` is set. Every call it
 * works on is recorded.
 */
export class GatedProvisioner implements TechnologyProvisioner {
  readonly immutableSpecific = ['location'] as const;
  readonly calls: RecordedCall[] = [];
  private held = new Set<string>();
  private holdAll = false;
  private waiters: { resource: string; resume: () => void }[] = [];

  constructor(readonly technologies: readonly string[] = ['gated']) {}

  validate(request: ResourceRequest): ValidationIssue[] {
    const { specific } = request.resource;
    return specific.invalid ? [{ path: '/resource/specific/invalid', message: 'invalid on purpose' }] : [];
  }

  /** Holds the work of every resource from now on. */
  close(): void {
    this.holdAll = true;
  }

  /** Holds the work of these resources from now on. */
  hold(...resources: string[]): void {
    for (const resource of resources) this.held.add(resource);
  }

  /** Lets these resources (or, without arguments, everything) go on. */
  release(...resources: string[]): void {
    if (resources.length === 0) {
      this.holdAll = false;
      this.held.clear();
    } else {
      for (const resource of resources) this.held.delete(resource);
    }
    const stillHeld = (resource: string) => this.holdAll || this.held.has(resource);
    const waiting = this.waiters;
    this.waiters = waiting.filter((waiter) => stillHeld(waiter.resource));
    for (const waiter of waiting) if (!stillHeld(waiter.resource)) waiter.resume();
  }

  callsOf(resource: string, method?: ResourceMethod): RecordedCall[] {
    return this.calls.filter((call) => call.resource === resource && (!method || call.method === method));
  }

  create(request: ResourceRequest): Promise<ResourceInfo> {
    return this.work('POST', request);
  }

  update(request: ResourceRequest): Promise<ResourceInfo> {
    return this.work('PUT', request);
  }

  async remove(request: ResourceRequest, _previous: ResourceDescriptor | null): Promise<void> {
    await this.work('DELETE', request);
  }

  private async work(method: ResourceMethod, request: ResourceRequest): Promise<ResourceInfo> {
    const resource = request.resource.name;
    this.calls.push({
      method,
      resource,
      operationId: request.operationId,
      attempt: request.attempt,
      startedAt: Date.now(),
      dependencies: request.dependencies,
    });
    if (this.holdAll || this.held.has(resource)) {
      await new Promise<void>((resume) => this.waiters.push({ resource, resume }));
    }
    if (request.resource.specific.fail) throw new Error(`${resource} failed on purpose`);
    return { handledBy: 'gated', resource };
  }
}
