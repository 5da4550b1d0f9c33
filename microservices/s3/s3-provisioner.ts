import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ValidationIssue } from '../../shared/errors.js';
import { applyAccess, revokeAccess } from '../../shared/iam/apply-access.js';
import type { RoleGrants } from '../../shared/iam/role-grants.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type {
  ResourceInfo,
  TechnologyProvisioner,
} from '../../shared/microservice/technology-provisioner.js';
import type { FolderStore } from './folder-store.js';
import { s3AccessPolicy, s3PolicyName } from './s3-access-policies.js';
import { parseS3Specific, type S3Specific } from './s3-specific.js';

/** S3 folders with IAM grants (thesis §5.5.1, codes 5.2 and 5.3), for technologies `s3` and `s3cdp`. */
export class S3Provisioner implements TechnologyProvisioner {
  readonly technologies = ['s3', 's3cdp'] as const;
  /** Moving a folder would strand its data and every consumer's grants: a new resource is needed. */
  readonly immutableSpecific = ['bucket', 'directory', 'directories'] as const;

  constructor(
    private readonly folders: FolderStore,
    private readonly grants: RoleGrants,
  ) {}

  validate(request: ResourceRequest): ValidationIssue[] {
    const issues = parseS3Specific(request.resource.specific).issues;
    if (!request.resource.owner) {
      issues.push({ path: '/resource/owner', message: 'is required: the role that gets read-write access' });
    }
    return issues;
  }

  async create(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<ResourceInfo> {
    const specific = this.specificOf(request.resource);
    if (!(await this.folders.bucketExists(specific.bucket))) {
      throw new Error(`bucket ${specific.bucket} does not exist; create it or choose an existing bucket`);
    }
    for (const directory of specific.directories) await this.folders.ensureFolder(specific.bucket, directory);
    await this.applyGrants(request, previous, specific);
    return infoOf(specific);
  }

  async update(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<ResourceInfo> {
    const specific = this.specificOf(request.resource);
    await this.applyGrants(request, previous, specific);
    return infoOf(specific);
  }

  async remove(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<void> {
    const specific = this.specificOf(request.resource);
    const policyName = s3PolicyName(request.dataProduct, request.resource.name);
    await revokeAccess(this.grants, policyName, request.resource, previous);
    if (!(await this.folders.bucketExists(specific.bucket))) return;
    for (const directory of specific.directories) {
      if (request.removeData) await this.folders.removeObjects(specific.bucket, directory);
      else await this.folders.removeFolderMarker(specific.bucket, directory);
    }
  }

  /** Replace semantics (code 5.3, without its delete-then-attach gap): grant the desired roles, then revoke the rest. */
  private async applyGrants(
    request: ResourceRequest,
    previous: ResourceDescriptor | null,
    specific: S3Specific,
  ) {
    const policyName = s3PolicyName(request.dataProduct, request.resource.name);
    await applyAccess(this.grants, policyName, previous, request.resource, (access) =>
      s3AccessPolicy(specific.bucket, specific.directories, access),
    );
  }

  private specificOf(resource: ResourceDescriptor): S3Specific {
    const { value, issues } = parseS3Specific(resource.specific);
    if (!value) throw new Error(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
    return value;
  }
}

function infoOf({ bucket, directories }: S3Specific): ResourceInfo {
  const uris = directories.map((directory) => `s3://${bucket}/${directory}/`);
  return { uri: uris[0], uris, bucket, directories };
}
