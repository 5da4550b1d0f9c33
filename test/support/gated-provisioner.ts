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
  startedAt: number;
}

/**
 * A test technology (`gated` by default) run by the real microservice kit: each call's
 * work waits until the test opens its gate (or the gate is left open), and
 * fails when `specific.fail` is set. It records every call it works on.
 */
export class GatedProvisioner implements TechnologyProvisioner {
  readonly calls: RecordedCall[] = [];
  private open = true;
  private waiters: (() => void)[] = [];

  readonly immutableSpecific = ['location'] as const;

  constructor(readonly technologies: readonly string[] = ['gated']) {}

  validate(request: ResourceRequest): ValidationIssue[] {
    const { specific } = request.resource;
    return specific.invalid ? [{ path: '/resource/specific/invalid', message: 'invalid on purpose' }] : [];
  }

  close(): void {
    this.open = false;
  }

  release(): void {
    this.open = true;
    for (const waiter of this.waiters.splice(0)) waiter();
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
    this.calls.push({
      method,
      resource: request.resource.name,
      operationId: request.operationId,
      startedAt: Date.now(),
    });
    if (!this.open) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (request.resource.specific.fail) throw new Error(`${request.resource.name} failed on purpose`);
    return { handledBy: 'gated', resource: request.resource.name };
  }
}
