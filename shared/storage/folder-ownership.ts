import { type DataProductRef, describeRef } from '../descriptor/types.js';
import { ConflictError } from '../errors.js';
import { relation } from './storage-placement.js';

/** The resource that owns a folder: one resource of one data product version. */
export interface FolderOwner {
  environment: string;
  domain: string;
  dataProduct: string;
  version: string;
  resource: string;
}

/**
 * A claim in flight (`claiming`: written, its overlap check not yet passed) or
 * established (`held`: the check passed, so nobody else holds an overlapping folder).
 */
export type ClaimStatus = 'claiming' | 'held';

export interface FolderClaim {
  bucket: string;
  /** The folder's full key prefix, without trailing slash. */
  prefix: string;
  owner: FolderOwner;
  status: ClaimStatus;
  claimedAt: string;
}

export interface ClaimOutcome {
  /** True when this call established the claim; false when the owner already held it (an idempotent re-claim). */
  fresh: boolean;
}

/**
 * Who owns which folder of which bucket. A folder has one owner: a claim is
 * refused when the same folder, a folder containing it or a folder inside it
 * belongs to another resource.
 */
export interface FolderOwnership {
  /** Claims the folder for `owner`, or throws a ConflictError naming the other owner. Idempotent. */
  claim(bucket: string, prefix: string, owner: FolderOwner): Promise<ClaimOutcome>;
  /** Gives the folder up if `owner` has it (held or still claiming); true when something was released. */
  release(bucket: string, prefix: string, owner: FolderOwner): Promise<boolean>;
  /** The claim recorded for exactly this folder, if any. */
  claimAt(bucket: string, prefix: string): Promise<FolderClaim | undefined>;
  /** The held claim on this folder or on the nearest folder containing it, if any. */
  holderOf(bucket: string, prefix: string): Promise<FolderClaim | undefined>;
}

export function folderOwnerOf(ref: DataProductRef, resource: string): FolderOwner {
  return {
    environment: ref.environment,
    domain: ref.domain,
    dataProduct: ref.name,
    version: ref.version,
    resource,
  };
}

/** One string per owner; names never contain '/', so it is unambiguous (and equals a function's `dmp:owner`). */
export function ownerKey(owner: FolderOwner): string {
  return [owner.environment, owner.domain, owner.dataProduct, owner.version, owner.resource].join('/');
}

export function describeOwner(owner: FolderOwner): string {
  const ref = {
    environment: owner.environment,
    domain: owner.domain,
    name: owner.dataProduct,
    version: owner.version,
  };
  return `resource ${owner.resource} of data product ${describeRef(ref)}`;
}

export function isHeldBy(claim: FolderClaim | undefined, owner: FolderOwner): claim is FolderClaim {
  return claim?.status === 'held' && ownerKey(claim.owner) === ownerKey(owner);
}

/** The refusal of a claim whose folder overlaps another owner's. */
export function folderConflict(bucket: string, prefix: string, other: FolderClaim): ConflictError {
  const subject = `the folder s3://${bucket}/${prefix}/`;
  const overlap =
    other.prefix === prefix
      ? `${subject} is already owned by`
      : `${subject} ${relation(prefix, other.prefix)} s3://${bucket}/${other.prefix}/, owned by`;
  return new ConflictError(
    `${overlap} ${describeOwner(other.owner)}: a folder has one owner; choose another directory`,
    { bucket, folder: `${prefix}/`, ownedBy: { ...other.owner, folder: `${other.prefix}/` } },
  );
}
