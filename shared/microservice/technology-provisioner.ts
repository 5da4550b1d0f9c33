import type { ResourceDescriptor } from '../descriptor/types.js';
import type { ValidationIssue } from '../errors.js';
import type { ResourceRequest } from './resource-request.js';

/** What consumers need to use a resource, stored with its state (for S3 the s3:// URI). */
export type ResourceInfo = Record<string, unknown>;

/**
 * One technology's provisioning logic. The microservice kit handles the
 * contract around it (request validation, state transitions, async work);
 * an implementation only validates `specific` and does the idempotent work.
 * `previous` is the resource as last applied, or null if never applied.
 */
export interface TechnologyProvisioner {
  readonly technologies: readonly string[];
  /** `specific` fields that cannot change once created; a change needs a new resource name or version. */
  readonly immutableSpecific: readonly string[];
  /** Synchronous checks; paths are JSON pointers into the request body (e.g. /resource/specific/bucket). */
  validate(request: ResourceRequest): ValidationIssue[];
  create(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<ResourceInfo>;
  update(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<ResourceInfo>;
  remove(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<void>;
}
