import { ConflictError } from '../../shared/errors.js';
import type { FunctionDescription } from './function-host.js';

/** The tag (AWS) or registry field (local) naming the dmp resource a function belongs to. */
export const OWNER_TAG = 'dmp:owner';

/**
 * Refuses to change a function that another dmp resource owns, or that dmp
 * did not create (no owner tag): a name collision must never take over or
 * destroy someone else's function.
 */
export function assertOwnedBy(existing: FunctionDescription, owner: string): void {
  if (existing.owner === owner) return;
  const holder = existing.owner
    ? `dmp resource ${existing.owner}`
    : 'no dmp resource (it has no dmp:owner tag)';
  throw new ConflictError(
    `function ${existing.name} belongs to ${holder}, not to ${owner}: choose another function name`,
    { functionName: existing.name },
  );
}
