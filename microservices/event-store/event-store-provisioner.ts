import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import { ValidationError, type ValidationIssue } from '../../shared/errors.js';
import { applyAccess, revokeAccess } from '../../shared/iam/apply-access.js';
import type { RoleGrants } from '../../shared/iam/role-grants.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type {
  ResourceInfo,
  TechnologyProvisioner,
} from '../../shared/microservice/technology-provisioner.js';
import { type FolderOwnership, folderOwnerOf, ownerKey } from '../../shared/storage/folder-ownership.js';
import { placeFolder, type StoragePlacement } from '../../shared/storage/storage-placement.js';
import type { EventArchive } from './event-archive.js';
import { type ArnScope, eventStoreAccessPolicy, eventTableArn } from './event-store-access-policies.js';
import {
  archiveProviderNames,
  eventStoreRequestIssues,
  parseEventStoreSpecific,
} from './event-store-specific.js';
import type { EventTables } from './event-tables.js';
import { archivePrefixOf, eventStorePolicyName, eventTableName, type PortIdentity } from './port-identity.js';
import type { ArchiveTarget, PortRecord, PortRegistry } from './port-registry.js';

export interface EventStoreProvisionerOptions {
  /** First part of every table name (DMP_EVENT_STORE_TABLE_PREFIX). */
  tablePrefix: string;
  arnScope: ArnScope;
  /** Base URL of this service's data plane, published in the resource's info (a function: known once listening). */
  publicUrl: string | (() => string);
  /** Where archive folders really are: placed as the S3 microservice places its folders. */
  placement: StoragePlacement;
}

/**
 * Event-store output ports: a DynamoDB table per port and MAJOR version,
 * IAM grants on it, and the registry record the data plane serves from.
 * Every step is idempotent, so a re-dispatched job simply runs again.
 */
export class EventStoreProvisioner implements TechnologyProvisioner {
  readonly technologies = ['event-store'] as const;
  /** Moving the archive would split a stream's history across two folders: a new port is needed. */
  readonly immutableSpecific = ['archive'] as const;

  constructor(
    private readonly tables: EventTables,
    private readonly grants: RoleGrants,
    private readonly registry: PortRegistry,
    private readonly archive: EventArchive,
    /** Read only: who owns the folder an archive lies in. */
    private readonly ownership: Pick<FolderOwnership, 'holderOf'>,
    private readonly options: EventStoreProvisionerOptions,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  validate(request: ResourceRequest): ValidationIssue[] {
    return eventStoreRequestIssues(request, this.options.placement);
  }

  async create(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<ResourceInfo> {
    const record = this.recordOf(request);
    await this.tables.ensureTable(record.tableName);
    await this.applyGrants(request, previous, record.tableName);
    // Last: the data plane opens the port only once its table and grants exist.
    await this.registry.put(record);
    return this.infoOf(record);
  }

  /** The same convergence as a create: the table is kept, the grants are replaced. */
  update(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<ResourceInfo> {
    return this.create(request, previous);
  }

  async remove(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<void> {
    const record = this.recordOf(request);
    // First: the data plane stops serving the port before its grants go.
    await this.registry.remove(record.tableName, record.version);
    const policyName = eventStorePolicyName(identityOf(request));
    await revokeAccess(this.grants, policyName, request.resource, previous);
    if (!request.removeData) return;
    // Versions of one MAJOR share the table and the archive: data goes with the last of them.
    if ((await this.registry.versionsOf(record.tableName)).length > 0) return;
    await this.tables.deleteTable(record.tableName);
    if (record.archive && (await this.ownedByProvider(request, record.archive))) {
      await this.archive.removeAll(record.archive.bucket, record.archive.prefix);
    }
  }

  /**
   * Whether the archive lies in a folder held by an S3 resource this port
   * depends on (same data product version). Anything else — another data
   * product's folder, a folder nobody holds (released, or made before folder
   * ownership existed) — is never deleted from here.
   */
  private async ownedByProvider(request: ResourceRequest, archive: ArchiveTarget): Promise<boolean> {
    const holder = await this.ownership.holderOf(archive.bucket, archive.prefix);
    if (!holder) return false;
    const providers = archiveProviderNames(request).map((name) =>
      ownerKey(folderOwnerOf(request.dataProduct, name)),
    );
    return providers.includes(ownerKey(holder.owner));
  }

  /** Replace semantics: grant (or re-grant) the desired roles, then revoke everyone else. */
  private async applyGrants(
    request: ResourceRequest,
    previous: ResourceDescriptor | null,
    tableName: string,
  ) {
    const policyName = eventStorePolicyName(identityOf(request));
    const tableArn = eventTableArn(tableName, this.options.arnScope);
    await applyAccess(this.grants, policyName, previous, request.resource, (access) =>
      eventStoreAccessPolicy(tableArn, access),
    );
  }

  private recordOf(request: ResourceRequest): PortRecord {
    const identity = identityOf(request);
    const { value, issues } = parseEventStoreSpecific(request.resource.specific);
    if (!value) throw new Error(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
    return {
      ...identity,
      tableName: eventTableName(this.options.tablePrefix, identity),
      owner: request.resource.owner ?? '',
      allow: [...request.resource.allow],
      ...(value.archive
        ? {
            archive: {
              bucket: value.archive.bucket,
              prefix: archivePrefixOf(this.placedArchive(request, value.archive.directory), identity),
            },
          }
        : {}),
      updatedAt: this.clock().toISOString(),
    };
  }

  /** The archive folder where it really is: inside the providing S3 resource's folder, placed alike. */
  private placedArchive(request: ResourceRequest, directory: string): string {
    const placed = placeFolder(this.options.placement, request.dataProduct, directory);
    if ('problem' in placed) {
      const issue = { path: '/resource/specific/archive/directory', message: placed.problem };
      throw new ValidationError(`${issue.path}: ${issue.message}`, [issue]);
    }
    return placed.location;
  }

  private publicUrl(): string {
    const { publicUrl } = this.options;
    return typeof publicUrl === 'function' ? publicUrl() : publicUrl;
  }

  private infoOf(record: PortRecord): ResourceInfo {
    const path = [record.environment, record.domain, record.name, record.version, record.port]
      .map(encodeURIComponent)
      .join('/');
    return {
      table: record.tableName,
      tableArn: eventTableArn(record.tableName, this.options.arnScope),
      endpoint: `${this.publicUrl()}/v1/events/${path}/{aggregateId}`,
      ...(record.archive ? { archiveUri: `s3://${record.archive.bucket}/${record.archive.prefix}/` } : {}),
    };
  }
}

function identityOf(request: ResourceRequest): PortIdentity {
  return { ...request.dataProduct, port: request.resource.name };
}
