import type { ResourceDescriptor } from '../descriptor/types.js';
import type { ValidationIssue } from '../errors.js';

/**
 * The changes a resource cannot take in place: its technology, and the
 * `specific` fields its microservice declares immutable (an S3 bucket, say).
 * Pure, so the provisioner's plan and the microservice's own check agree.
 */
export function immutableChanges(
  applied: ResourceDescriptor,
  desired: ResourceDescriptor,
  immutableSpecific: readonly string[],
  basePath = '/resource',
): ValidationIssue[] {
  const advice = 'give the resource a new name, or the data product a new version';
  const issues: ValidationIssue[] = [];
  if (applied.technology !== desired.technology) {
    issues.push({
      path: `${basePath}/technology`,
      message: `technology cannot change from ${applied.technology} to ${desired.technology}: ${advice}`,
    });
  }
  for (const field of immutableSpecific) {
    const before = applied.specific[field];
    const after = desired.specific[field];
    if (canonicalJson(before) !== canonicalJson(after)) {
      issues.push({
        path: `${basePath}/specific/${field}`,
        message: `${field} cannot change (it was ${canonicalJson(before) ?? 'unset'}, now ${canonicalJson(after) ?? 'unset'}): ${advice}`,
      });
    }
  }
  return issues;
}

/** JSON with object keys sorted, so that equal values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return JSON.stringify(value, (_key, item) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );
}
