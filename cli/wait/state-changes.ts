import type { PublicDataProductState, PublicResourceState } from '../../provisioner/domain/public-state.js';

/** One thing that changed between two reads of the state; `resource` is null for the data product itself. */
export interface StateChange {
  resource: string | null;
  from: string | null;
  to: string;
  /** The resource's error or blocker, when it has one. */
  detail?: string;
}

/**
 * What moved since the previous read (everything, on the first read). A
 * change is a new state, or a new error or blocker on the same state.
 */
export function stateChanges(
  previous: PublicDataProductState | undefined,
  current: PublicDataProductState,
): StateChange[] {
  const changes: StateChange[] = [];
  const cancel = current.cancelRequested && !previous?.cancelRequested;
  if (previous?.state !== current.state || cancel) {
    changes.push({
      resource: null,
      from: previous?.state ?? null,
      to: current.state,
      ...(cancel ? { detail: 'cancel requested' } : {}),
    });
  }
  const before = new Map((previous?.resources ?? []).map((resource) => [resource.name, resource]));
  for (const resource of current.resources) {
    const old = before.get(resource.name);
    if (old && old.state === resource.state && detailOf(old) === detailOf(resource)) continue;
    const detail = detailOf(resource);
    changes.push({
      resource: resource.name,
      from: old?.state ?? null,
      to: resource.state,
      ...(detail ? { detail } : {}),
    });
  }
  return changes;
}

function detailOf(resource: PublicResourceState): string | undefined {
  if (resource.lastError) return resource.lastError;
  if (resource.blockedBy) return `blocked by ${resource.blockedBy}`;
  return undefined;
}
