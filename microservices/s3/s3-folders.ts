import type { DataProductRef } from '../../shared/descriptor/types.js';
import type { ValidationIssue } from '../../shared/errors.js';
import { placeFolder, type StoragePlacement } from '../../shared/storage/storage-placement.js';
import { parseS3Specific } from './s3-specific.js';

/** An S3 resource's folders where they really are: each directory of the descriptor placed under the data product's root. */
export interface PlacedS3Folders {
  bucket: string;
  /** Full key prefixes, without trailing slash, in the order the descriptor lists them. */
  locations: string[];
}

const BASE = '/resource/specific';

/**
 * Pure: `specific` checked (syntax, then placement), every problem at once,
 * each at the path of the directory it concerns.
 */
export function placeS3Folders(
  specific: Record<string, unknown>,
  ref: DataProductRef,
  placement: StoragePlacement,
): { value?: PlacedS3Folders; issues: ValidationIssue[] } {
  const { value, issues } = parseS3Specific(specific);
  if (!value) return { issues };
  const listed = specific.directory === undefined;
  const locations: string[] = [];
  value.directories.forEach((directory, index) => {
    const placed = placeFolder(placement, ref, directory);
    if ('problem' in placed) {
      issues.push({
        path: listed ? `${BASE}/directories/${index}` : `${BASE}/directory`,
        message: placed.problem,
      });
    } else {
      locations.push(placed.location);
    }
  });
  if (issues.length > 0) return { issues };
  return { value: { bucket: value.bucket, locations }, issues };
}
