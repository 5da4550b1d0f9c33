import { randomUUID } from 'node:crypto';
import { type Action, authorize, listingDomainOf } from '../shared/auth/access-rules.js';
import { actorOf, type Principal } from '../shared/auth/principal.js';
import { locateIssues, type SourceDocument } from '../shared/descriptor/source-document.js';
import {
  allResources,
  type DataProductDescriptor,
  type DataProductRef,
  describeRef,
  emptyDescriptor,
  refOf,
} from '../shared/descriptor/types.js';
import { validateDescriptor } from '../shared/descriptor/validate-descriptor.js';
import { ConflictError, NotFoundError, PayloadTooLargeError, ValidationError } from '../shared/errors.js';
import { evaluatePolicy } from '../shared/governance/evaluate-policy.js';
import type { GovernancePolicy } from '../shared/governance/policy.js';
import { isTransit, type LifecycleState } from '../shared/state/lifecycle.js';
import type { DataProductStateDocument, HistoryEntry } from '../shared/state/records.js';
import type {
  DataProductSummary,
  ListFilter,
  StateClient,
  StateWatch,
} from '../shared/state/state-client.js';
import type { MicroserviceCapabilities } from './discovery/capabilities.js';
import type { Discovery } from './discovery/discovery.js';
import type { SpecificChecks } from './discovery/specific-checks.js';
import {
  isNothingToDo,
  type OperationPlan,
  persistedSteps,
  planDelete,
  planDeploy,
} from './domain/plan-operation.js';
import { type PlanView, planView } from './domain/plan-view.js';
import { type PublicDataProductState, publicState } from './domain/public-state.js';
import type { OperationRunner } from './operations/operation-runner.js';

/** The descriptor is stored in the data product's DynamoDB item (400 KB at most), with room for the rest. */
const MAX_STORED_DESCRIPTOR_BYTES = 300 * 1024;

export interface OperationAccepted extends DataProductRef {
  state: LifecycleState;
  operationId: string | null;
  /** false when there was nothing to do: no operation was started. */
  changed: boolean;
}

export interface ProvisioningDependencies {
  discovery: Discovery;
  state: StateClient;
  runner: OperationRunner;
  capabilities: MicroserviceCapabilities;
  policy: GovernancePolicy;
  specificChecks: SpecificChecks;
  newOperationId?: () => string;
  clock?: () => Date;
}

/** The provisioner's use cases (thesis code 5.1, made incremental and durable), independent of HTTP. */
export class ProvisioningUseCases {
  private readonly newOperationId: () => string;
  private readonly clock: () => Date;

  constructor(private readonly deps: ProvisioningDependencies) {
    this.newOperationId = deps.newOperationId ?? randomUUID;
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * The descriptor's own rules first; then the governance policy and each
   * microservice's check of its `specific` block; every problem at once, with lines.
   */
  async validate(document: SourceDocument): Promise<DataProductDescriptor> {
    const descriptor = validateDescriptor(document, this.deps.discovery);
    const size = Buffer.byteLength(JSON.stringify(descriptor));
    if (size > MAX_STORED_DESCRIPTOR_BYTES) {
      throw new PayloadTooLargeError(
        `the descriptor is ${size} bytes once normalised; at most ${MAX_STORED_DESCRIPTOR_BYTES} can be stored with its state`,
      );
    }
    const violations = evaluatePolicy(this.deps.policy, descriptor);
    const specific = await this.deps.specificChecks.issuesOf(descriptor);
    if (specific.length > 0) {
      throw new ValidationError(
        'A resource of the descriptor is invalid for its technology',
        locateIssues([...specific, ...violations], document),
      );
    }
    if (violations.length > 0) {
      const count = violations.length === 1 ? '1 rule' : `${violations.length} rules`;
      throw new ValidationError(
        `The descriptor violates governance policy (${count})`,
        locateIssues(violations, document),
      );
    }
    return descriptor;
  }

  /** What a deploy of this descriptor would do now, changing nothing. */
  async plan(document: SourceDocument, principal: Principal): Promise<PlanView> {
    authorizeDocument(principal, 'deploy', document);
    const descriptor = await this.validate(document);
    const stored = await this.deps.state.getDataProduct(refOf(descriptor));
    const view = planView(descriptor, stored, await this.planDeployment(descriptor, stored));
    return { ...view, immutable: locateIssues(view.immutable, document) };
  }

  /** Validates, checks the data product is in a consistent state, claims it, and starts the deployment. */
  async deploy(document: SourceDocument, principal: Principal): Promise<OperationAccepted> {
    authorizeDocument(principal, 'deploy', document);
    const descriptor = await this.validate(document);
    const ref = refOf(descriptor);
    const stored = await this.deps.state.getDataProduct(ref);
    assertConsistent(stored);
    const plan = await this.planDeployment(descriptor, stored);
    if (plan.immutable.length > 0) {
      throw new ValidationError(
        'The descriptor changes what cannot be changed in place: give the resource a new name, or the data product a new version',
        locateIssues(plan.immutable, document),
      );
    }
    if (stored && isNothingToDo(stored, plan)) {
      return { ...ref, state: stored.state, operationId: stored.operationId, changed: false };
    }
    return this.begin(ref, descriptor, plan, false, principal);
  }

  async removeByDescriptor(
    document: SourceDocument,
    removeData: boolean,
    principal: Principal,
  ): Promise<OperationAccepted> {
    authorizeDocument(principal, 'deploy', document);
    // Deleting needs only to know which data product: neither governance nor a microservice may stand in the way.
    return this.remove(refOf(validateDescriptor(document, this.deps.discovery)), removeData, principal);
  }

  async remove(ref: DataProductRef, removeData: boolean, principal: Principal): Promise<OperationAccepted> {
    authorize(principal, 'deploy', ref.domain);
    const stored = await this.deps.state.getDataProduct(ref);
    if (!stored) throw new NotFoundError(`data product ${describeRef(ref)} is unknown`);
    assertConsistent(stored);
    const plan = planDelete(stored);
    if (isNothingToDo(stored, plan))
      return { ...ref, state: 'DELETED', operationId: stored.operationId, changed: false };
    return this.begin(ref, stored.descriptor ?? emptyDescriptor(ref), plan, removeData, principal);
  }

  /** Stops dispatching new resources; in-flight ones settle or time out; the data product ends NOT_COMPLETED. */
  async cancel(
    ref: DataProductRef,
    principal: Principal,
  ): Promise<{ state: LifecycleState; operationId: string | null; cancelRequested: true }> {
    authorize(principal, 'deploy', ref.domain);
    const stored = await this.deps.state.getDataProduct(ref);
    if (!stored) throw new NotFoundError(`data product ${describeRef(ref)} is unknown`);
    const result = await this.deps.state.cancel(ref, actorOf(principal));
    return { state: result.state, operationId: result.operationId, cancelRequested: true };
  }

  /** The public state; with `watch`, a long-poll answered once the data product moves past `changedAfter`. */
  async getState(
    ref: DataProductRef,
    principal: Principal,
    watch?: StateWatch,
  ): Promise<PublicDataProductState> {
    authorize(principal, 'read', ref.domain);
    const stored = await this.deps.state.getDataProduct(ref, watch);
    if (!stored) throw new NotFoundError(`data product ${describeRef(ref)} is unknown`);
    return publicState(stored);
  }

  async history(
    ref: DataProductRef,
    after: number,
    limit: number,
    principal: Principal,
  ): Promise<{ entries: HistoryEntry[]; next?: number }> {
    authorize(principal, 'read', ref.domain);
    const page = await this.deps.state.history(ref, after, limit);
    if (page.entries.length === 0 && after === 0 && !(await this.deps.state.getDataProduct(ref))) {
      throw new NotFoundError(`data product ${describeRef(ref)} is unknown`);
    }
    return page;
  }

  list(filter: ListFilter, principal: Principal): Promise<{ items: DataProductSummary[]; cursor?: string }> {
    const domain = filter.domain ?? listingDomainOf(principal);
    authorize(principal, 'read', domain);
    return this.deps.state.list({ ...filter, ...(domain ? { domain } : {}) });
  }

  private async planDeployment(
    descriptor: DataProductDescriptor,
    stored: DataProductStateDocument | undefined,
  ) {
    const immutableOf = await this.deps.capabilities.immutableSpecificFor(descriptor.environment.name, [
      ...allResources(descriptor),
      ...(stored?.resources ?? []),
    ]);
    return planDeploy(descriptor, stored, immutableOf);
  }

  /**
   * The transit write is the lock and the journal: one conditional write in
   * the state service claims the data product and persists the plan, before
   * anything is dispatched; the runner then takes the operation's lease.
   */
  private async begin(
    ref: DataProductRef,
    descriptor: DataProductDescriptor,
    plan: OperationPlan,
    removeData: boolean,
    principal: Principal,
  ): Promise<OperationAccepted> {
    const operationId = this.newOperationId();
    const steps = persistedSteps(plan);
    await this.deps.state.writeDataProduct({
      ...ref,
      actor: actorOf(principal),
      state: plan.transit,
      operationId,
      operation: { kind: plan.kind, removeData, steps, startedAt: this.clock().toISOString() },
      ...(plan.kind === 'deploy' ? { descriptor } : {}),
    });
    this.deps.runner.start({
      operationId,
      ref,
      kind: plan.kind,
      transit: plan.transit,
      descriptor,
      removeData,
      steps,
      resources: new Map(plan.steps.map((step) => [step.name, step.resource])),
    });
    return { ...ref, state: plan.transit, operationId, changed: true };
  }
}

/** Authorizes on the domain the document names, before validation says anything about it. */
function authorizeDocument(principal: Principal, action: Action, document: SourceDocument): void {
  const value = document.value as { domain?: unknown } | null;
  const domain =
    value && typeof value === 'object' && typeof value.domain === 'string' ? value.domain : undefined;
  authorize(principal, action, domain);
}

function assertConsistent(stored: DataProductStateDocument | undefined): void {
  if (stored && isTransit(stored.state)) {
    throw new ConflictError(
      `data product ${describeRef(stored)} is ${stored.state} (operation ${stored.operationId}); wait for it to settle, or cancel it`,
      { currentState: stored.state, operationId: stored.operationId },
    );
  }
}
