import { randomUUID } from 'node:crypto';
import type { SourceDocument } from '../shared/descriptor/source-document.js';
import {
  allResources,
  type DataProductDescriptor,
  type DataProductRef,
  refOf,
} from '../shared/descriptor/types.js';
import { validateDescriptor } from '../shared/descriptor/validate-descriptor.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { isTransit, type LifecycleState } from '../shared/state/lifecycle.js';
import type { DataProductStateDocument } from '../shared/state/records.js';
import type { StateClient } from '../shared/state/state-client.js';
import type { Discovery } from './discovery/discovery.js';
import { isAlreadyDeleted, type OperationPlan, planDelete, planDeploy } from './domain/plan-operation.js';
import type { OperationRunner } from './operations/operation-runner.js';

export interface OperationAccepted extends DataProductRef {
  state: LifecycleState;
  operationId: string | null;
}

export interface PublicResourceState {
  name: string;
  kind: string;
  technology: string;
  state: string;
  updatedAt: string | null;
  lastError: string | null;
  info: Record<string, unknown> | null;
}

export interface PublicDataProductState extends DataProductRef {
  state: LifecycleState;
  updatedAt: string;
  operationId: string | null;
  lastError: string | null;
  resources: PublicResourceState[];
}

/** The provisioner's use cases (thesis code 5.1), independent of HTTP. */
export class ProvisioningUseCases {
  constructor(
    private readonly discovery: Discovery,
    private readonly state: StateClient,
    private readonly runner: OperationRunner,
    private readonly newOperationId: () => string = randomUUID,
  ) {}

  validate(document: SourceDocument): DataProductDescriptor {
    return validateDescriptor(document, this.discovery);
  }

  /** Validates, checks the data product is in a consistent state, claims it, and starts the deployment. */
  async deploy(document: SourceDocument): Promise<OperationAccepted> {
    const descriptor = this.validate(document);
    const ref = refOf(descriptor);
    const stored = await this.state.getDataProduct(ref);
    assertConsistent(stored);
    return this.begin(ref, descriptor, planDeploy(descriptor, stored), false);
  }

  async removeByDescriptor(document: SourceDocument, removeData: boolean): Promise<OperationAccepted> {
    return this.remove(refOf(this.validate(document)), removeData);
  }

  async remove(ref: DataProductRef, removeData: boolean): Promise<OperationAccepted> {
    const stored = await this.state.getDataProduct(ref);
    if (!stored) throw new NotFoundError(`data product ${describe(ref)} is unknown`);
    assertConsistent(stored);
    const plan = planDelete(stored);
    if (isAlreadyDeleted(stored, plan)) return { ...ref, state: 'DELETED', operationId: stored.operationId };
    const descriptor = stored.descriptor ?? emptyDescriptor(ref);
    return this.begin(ref, descriptor, plan, removeData);
  }

  async getState(ref: DataProductRef): Promise<PublicDataProductState> {
    const stored = await this.state.getDataProduct(ref);
    if (!stored) throw new NotFoundError(`data product ${describe(ref)} is unknown`);
    return publicState(stored);
  }

  /** The transit write is the lock: a conditional write in the state service, so only one request wins. */
  private async begin(
    ref: DataProductRef,
    descriptor: DataProductDescriptor,
    plan: OperationPlan,
    removeData: boolean,
  ): Promise<OperationAccepted> {
    const operationId = this.newOperationId();
    await this.state.writeDataProduct({
      ...ref,
      state: plan.transit,
      operationId,
      ...(plan.kind === 'deploy' ? { descriptor } : {}),
    });
    this.runner.start({ operationId, ref, descriptor, plan, removeData });
    return { ...ref, state: plan.transit, operationId };
  }
}

function assertConsistent(stored: DataProductStateDocument | undefined): void {
  if (stored && isTransit(stored.state)) {
    throw new ConflictError(
      `data product ${describe(stored)} is ${stored.state} (operation ${stored.operationId}); try again when it has settled`,
      { currentState: stored.state, operationId: stored.operationId },
    );
  }
}

function publicState(stored: DataProductStateDocument): PublicDataProductState {
  const records = new Map(stored.resources.map((record) => [record.name, record]));
  const declared = stored.descriptor ? allResources(stored.descriptor) : [];
  const resources: PublicResourceState[] = declared.map((resource) => {
    const record = records.get(resource.name);
    records.delete(resource.name);
    return {
      name: resource.name,
      kind: resource.kind,
      technology: resource.technology,
      state: record?.state ?? 'NONE',
      updatedAt: record?.updatedAt ?? null,
      lastError: record?.lastError ?? null,
      info: record?.info ?? null,
    };
  });
  for (const record of records.values()) {
    resources.push({
      name: record.name,
      kind: record.kind,
      technology: record.technology,
      state: record.state,
      updatedAt: record.updatedAt,
      lastError: record.lastError,
      info: record.info,
    });
  }
  return {
    environment: stored.environment,
    domain: stored.domain,
    name: stored.name,
    version: stored.version,
    state: stored.state,
    updatedAt: stored.updatedAt,
    operationId: stored.operationId,
    lastError: stored.lastError,
    resources,
  };
}

function emptyDescriptor(ref: DataProductRef): DataProductDescriptor {
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

function describe(ref: DataProductRef): string {
  return `${ref.environment}/${ref.domain}/${ref.name}/${ref.version}`;
}
