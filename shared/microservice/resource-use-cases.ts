import { ConflictError, describeError, ValidationError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { RESOURCE_METHOD_STATES, type ResourceMethod, type TransitState } from '../state/lifecycle.js';
import type { StateClient } from '../state/state-client.js';
import { parseResourceRequest } from './resource-request.js';
import type { TechnologyProvisioner } from './technology-provisioner.js';
import type { ResourceJob, WorkRunner } from './work-runner.js';

export interface AcceptedResource {
  operationId: string;
  resource: string;
  state: TransitState;
}

/**
 * The microservice contract (thesis §5.5): validate synchronously, move the
 * resource to its transit state in the state service (which refuses a
 * resource already in transit), answer, then work asynchronously and report
 * the outcome to the state service.
 */
export class ResourceUseCases {
  constructor(
    private readonly provisioner: TechnologyProvisioner,
    private readonly state: StateClient,
    private readonly runner: WorkRunner,
    private readonly logger: Logger,
  ) {}

  async accept(method: ResourceMethod, body: unknown): Promise<AcceptedResource> {
    const request = parseResourceRequest(body);
    const { resource, dataProduct, operationId } = request;
    const issues = this.provisioner.technologies.includes(resource.technology)
      ? this.provisioner.validate(request)
      : [
          {
            path: '/resource/technology',
            message: `this microservice handles ${this.provisioner.technologies.join(', ')}, not "${resource.technology}"`,
          },
        ];
    if (issues.length > 0)
      throw new ValidationError(`The ${resource.technology} resource ${resource.name} is invalid`, issues);

    const current = await this.state.getResource(dataProduct, resource.name);
    const transit = RESOURCE_METHOD_STATES[method].transit;
    await this.state.writeResource({
      ...stateKey(request),
      kind: resource.kind,
      technology: resource.technology,
      state: transit,
      operationId,
    });
    await this.runner.run({ method, request, previous: current?.applied ?? null });
    return { operationId, resource: resource.name, state: transit };
  }

  /** The asynchronous part; never throws: the outcome goes to the state service. */
  async work({ method, request, previous }: ResourceJob): Promise<void> {
    const log = this.logger.child({
      operationId: request.operationId,
      resource: request.resource.name,
      method,
    });
    let outcome: Parameters<StateClient['writeResource']>[0];
    try {
      const info = await this.perform(method, request, previous);
      outcome = {
        ...stateKey(request),
        state: RESOURCE_METHOD_STATES[method].done,
        operationId: request.operationId,
        info,
        applied: method === 'DELETE' ? null : request.resource,
      };
    } catch (error) {
      log.warn({ err: error }, 'resource work failed');
      outcome = {
        ...stateKey(request),
        state: 'FAILED',
        operationId: request.operationId,
        lastError: describeError(error),
      };
    }
    try {
      await this.state.writeResource(outcome);
      log.info({ state: outcome.state }, 'resource settled');
    } catch (error) {
      // A superseded operation's late answer is refused by fencing: that is the point.
      const level = error instanceof ConflictError ? 'warn' : 'error';
      log[level]({ err: error, state: outcome.state }, 'could not report the resource state');
    }
  }

  private async perform(
    method: ResourceMethod,
    request: ResourceJob['request'],
    previous: ResourceJob['previous'],
  ) {
    switch (method) {
      case 'POST':
        return this.provisioner.create(request, previous);
      case 'PUT':
        return this.provisioner.update(request, previous);
      case 'DELETE':
        await this.provisioner.remove(request, previous);
        return null;
    }
  }
}

function stateKey({ dataProduct, resource }: ResourceJob['request']) {
  return {
    environment: dataProduct.environment,
    domain: dataProduct.domain,
    dataProduct: dataProduct.name,
    version: dataProduct.version,
    name: resource.name,
  };
}
