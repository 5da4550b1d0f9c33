import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import { ValidationError, type ValidationIssue } from '../../shared/errors.js';
import { applyAccess, revokeAccess } from '../../shared/iam/apply-access.js';
import type { RoleGrants } from '../../shared/iam/role-grants.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type {
  ResourceInfo,
  TechnologyProvisioner,
} from '../../shared/microservice/technology-provisioner.js';
import {
  type FolderOwner,
  type FolderOwnership,
  folderOwnerOf,
  isHeldBy,
} from '../../shared/storage/folder-ownership.js';
import type { StoragePlacement } from '../../shared/storage/storage-placement.js';
import type { FolderStore } from './folder-store.js';
import { s3AccessPolicy, s3PolicyName } from './s3-access-policies.js';
import { type PlacedS3Folders, placeS3Folders } from './s3-folders.js';

/**
 * S3 folders with IAM grants (thesis §5.5.1, codes 5.2 and 5.3), for
 * technologies `s3` and `s3cdp`. Each folder lies in the data product's space
 * (`placement`) and has one owner (`ownership`): it is claimed before its
 * marker and grants exist, and released only after its data and grants are gone.
 */
export class S3Provisioner implements TechnologyProvisioner {
  readonly technologies = ['s3', 's3cdp'] as const;
  /** Moving a folder would strand its data and every consumer's grants: a new resource is needed. */
  readonly immutableSpecific = ['bucket', 'directory', 'directories'] as const;

  constructor(
    private readonly folders: FolderStore,
    private readonly grants: RoleGrants,
    private readonly ownership: FolderOwnership,
    private readonly placement: StoragePlacement,
  ) {}

  validate(request: ResourceRequest): ValidationIssue[] {
    const { issues } = placeS3Folders(request.resource.specific, request.dataProduct, this.placement);
    if (!request.resource.owner) {
      issues.push({ path: '/resource/owner', message: 'is required: the role that gets read-write access' });
    }
    return issues;
  }

  async create(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<ResourceInfo> {
    const placed = this.placedOf(request);
    if (!(await this.folders.bucketExists(placed.bucket))) {
      throw new Error(`bucket ${placed.bucket} does not exist; create it or choose an existing bucket`);
    }
    await this.claimAll(placed, ownerOf(request));
    for (const location of placed.locations) await this.folders.ensureFolder(placed.bucket, location);
    await this.applyGrants(request, previous, placed);
    return infoOf(placed);
  }

  /**
   * The same convergence as a create: claims again (a folder made before
   * ownership existed is adopted here) and makes sure each marker exists, then
   * replaces the grants.
   */
  update(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<ResourceInfo> {
    return this.create(request, previous);
  }

  /**
   * Grants first, then the data (`removeData`) or the folder marker of each
   * folder this resource holds — a folder held by anyone else, or by nobody,
   * is never touched — and last the claims. Running it again finds nothing to do.
   */
  async remove(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<void> {
    const placed = this.placedOf(request);
    const owner = ownerOf(request);
    const policyName = s3PolicyName(request.dataProduct, request.resource.name);
    await revokeAccess(this.grants, policyName, request.resource, previous);
    if (await this.folders.bucketExists(placed.bucket)) {
      for (const location of placed.locations) {
        if (!isHeldBy(await this.ownership.claimAt(placed.bucket, location), owner)) continue;
        if (request.removeData) await this.folders.removeObjects(placed.bucket, location);
        else await this.folders.removeFolderMarker(placed.bucket, location);
      }
    }
    for (const location of placed.locations) await this.ownership.release(placed.bucket, location, owner);
  }

  /** Every folder or none: a refused claim gives back the folders this call had just claimed. */
  private async claimAll({ bucket, locations }: PlacedS3Folders, owner: FolderOwner): Promise<void> {
    const claimedNow: string[] = [];
    try {
      for (const location of locations) {
        if ((await this.ownership.claim(bucket, location, owner)).fresh) claimedNow.push(location);
      }
    } catch (error) {
      for (const location of claimedNow) await this.ownership.release(bucket, location, owner);
      throw error;
    }
  }

  /** Replace semantics (code 5.3, without its delete-then-attach gap): grant the desired roles, then revoke the rest. */
  private async applyGrants(
    request: ResourceRequest,
    previous: ResourceDescriptor | null,
    placed: PlacedS3Folders,
  ) {
    const policyName = s3PolicyName(request.dataProduct, request.resource.name);
    await applyAccess(this.grants, policyName, previous, request.resource, (access) =>
      s3AccessPolicy(placed.bucket, placed.locations, access),
    );
  }

  private placedOf(request: ResourceRequest): PlacedS3Folders {
    const { value, issues } = placeS3Folders(request.resource.specific, request.dataProduct, this.placement);
    if (!value) {
      throw new ValidationError(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), issues);
    }
    return value;
  }
}

function ownerOf(request: ResourceRequest): FolderOwner {
  return folderOwnerOf(request.dataProduct, request.resource.name);
}

/** Where consumers find the data: the real locations, root included. */
function infoOf({ bucket, locations }: PlacedS3Folders): ResourceInfo {
  const uris = locations.map((location) => `s3://${bucket}/${location}/`);
  return { uri: uris[0], uris, bucket, directories: locations };
}
