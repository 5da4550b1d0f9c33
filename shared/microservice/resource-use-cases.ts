import {
  ConflictError,
  describeError,
  UpstreamError,
  ValidationError,
  type ValidationIssue,
} from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { RESOURCE_METHOD_STATES, type ResourceMethod, type TransitState } from '../state/lifecycle.js';
import type { StateClient } from '../state/state-client.js';
import { immutableChanges } from './immutable-fields.js';
import { parseResourceCheckBatch, parseResourceRequest } from './resource-request.js';
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
export interface ResourceUseCasesOptions {
  /** How often the work in progress tells the state service it is alive. */
  heartbeatMs: number;
  /** Cap of the pause between attempts to report an outcome while the state service is unavailable. */
  reportRetryMaxMs?: number;
}

/** One resource of a batch check: no errors means valid. Paths are those of a single check (`/resource/…`). */
export interface ResourceCheckResult {
  resource: string;
  errors: ValidationIssue[];
}

export interface Capabilities {
  technologies: readonly string[];
  immutableSpecific: readonly string[];
}

export class ResourceUseCases {
  constructor(
    private readonly provisioner: TechnologyProvisioner,
    private readonly state: StateClient,
    private readonly runner: WorkRunner,
    private readonly logger: Logger,
    private readonly options: ResourceUseCasesOptions = { heartbeatMs: 5_000 },
  ) {}

  capabilities(): Capabilities {
    return {
      technologies: this.provisioner.technologies,
      immutableSpecific: this.provisioner.immutableSpecific,
    };
  }

  /** The synchronous checks alone, changing nothing: the provisioner asks before it accepts a descriptor. */
  check(body: unknown): { valid: true } {
    const request = parseResourceRequest(body);
    const issues = this.issuesOf(request);
    if (issues.length > 0) {
      throw new ValidationError(
        `The ${request.resource.technology} resource ${request.resource.name} is invalid`,
        issues,
      );
    }
    return { valid: true };
  }

  /** The synchronous checks of several resources at once, changing nothing; each resource's problems apart. */
  checkAll(body: unknown): { results: ResourceCheckResult[] } {
    return {
      results: parseResourceCheckBatch(body).map((request) => ({
        resource: request.resource.name,
        errors: this.issuesOf(request),
      })),
    };
  }

  async accept(method: ResourceMethod, body: unknown): Promise<AcceptedResource> {
    const request = parseResourceRequest(body);
    const { resource, dataProduct, operationId } = request;
    const issues = this.issuesOf(request);
    // Only an update must see the applied resource before anything is written (immutable fields); for a
    // create or delete the transit write answers with it, which saves a state read per dispatch.
    const current = method === 'PUT' ? await this.state.getResource(dataProduct, resource.name) : undefined;
    if (current?.applied) {
      issues.push(...immutableChanges(current.applied, resource, this.provisioner.immutableSpecific));
    }
    if (issues.length > 0)
      throw new ValidationError(`The ${resource.technology} resource ${resource.name} is invalid`, issues);

    const transit = RESOURCE_METHOD_STATES[method].transit;
    const written = await this.state.writeResource({
      ...stateKey(request),
      kind: resource.kind,
      technology: resource.technology,
      state: transit,
      operationId,
      attempt: request.attempt,
    });
    await this.runner.run({ method, request, previous: (current ?? written).applied ?? null });
    return { operationId, resource: resource.name, state: transit };
  }

  private issuesOf(request: ResourceJob['request']) {
    const { technology } = request.resource;
    if (this.provisioner.technologies.includes(technology)) return this.provisioner.validate(request);
    return [
      {
        path: '/resource/technology',
        message: `this microservice handles ${this.provisioner.technologies.join(', ')}, not "${technology}"`,
      },
    ];
  }

  /** The asynchronous part; never throws: the outcome goes to the state service. */
  async work({ method, request, previous }: ResourceJob): Promise<void> {
    const log = this.logger.child({
      operationId: request.operationId,
      resource: request.resource.name,
      method,
    });
    const { operationId, attempt } = request;
    // The heartbeat goes on until the outcome is reported: work that is done but not yet recorded is alive.
    const stopHeartbeat = this.keepAlive(request, log);
    let outcome: Parameters<StateClient['writeResource']>[0];
    try {
      const info = await this.perform(method, request, previous);
      outcome = {
        ...stateKey(request),
        state: RESOURCE_METHOD_STATES[method].done,
        operationId,
        attempt,
        info,
        applied: method === 'DELETE' ? null : request.resource,
      };
    } catch (error) {
      log.warn({ err: error }, 'resource work failed');
      outcome = {
        ...stateKey(request),
        state: 'FAILED',
        operationId,
        attempt,
        lastError: describeError(error),
      };
    }
    try {
      await this.report(outcome, log);
    } finally {
      stopHeartbeat();
    }
  }

  /**
   * Writes the outcome until the state service takes it or refuses it: an
   * outage of the state service must not throw finished work away (it would
   * be done again once the heartbeat goes stale). The write is idempotent and
   * fenced by operation and attempt, so retrying is safe and a superseded
   * attempt stops at its first refusal.
   */
  private async report(outcome: Parameters<StateClient['writeResource']>[0], log: Logger): Promise<void> {
    const maxPause = this.options.reportRetryMaxMs ?? 2_000;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.state.writeResource(outcome);
        log.info({ state: outcome.state }, 'resource settled');
        return;
      } catch (error) {
        if (!(error instanceof UpstreamError)) {
          // A superseded operation's late answer is refused by fencing: that is the point.
          const level = error instanceof ConflictError ? 'warn' : 'error';
          log[level]({ err: error, state: outcome.state }, 'could not report the resource state');
          return;
        }
        const pause = Math.min(maxPause, 50 * 2 ** Math.min(attempt, 10));
        log.warn({ err: error, attempt, retryInMs: pause }, 'state service unavailable; reporting again');
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  /** Refreshes the resource's heartbeat while the work runs, so a dead worker is noticed and replaced. */
  private keepAlive(request: ResourceJob['request'], log: Logger): () => void {
    const { dataProduct, resource, operationId, attempt } = request;
    const beat = () => {
      this.state.heartbeat(dataProduct, resource.name, operationId, attempt).catch((error) => {
        log.warn({ err: error }, 'heartbeat refused or failed');
      });
    };
    // No beat at once: the transit write that accepted the work is its first sign of life.
    const timer = setInterval(beat, this.options.heartbeatMs);
    timer.unref();
    return () => clearInterval(timer);
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
