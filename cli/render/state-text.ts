import type { PublicDataProductState, PublicResourceState } from '../../provisioner/domain/public-state.js';
import { describeRef } from '../../shared/descriptor/types.js';
import type { RootCause } from '../../shared/state/records.js';
import { paintState, type Style } from './style.js';
import { table } from './table.js';

/** `dmp status`: the data product, then one row per resource. */
export function stateText(state: PublicDataProductState, style: Style): string[] {
  const header = `${describeRef(state)}  ${paintState(style, state.state)}${state.cancelRequested ? ' (cancel requested)' : ''}`;
  const lines = [style.bold(header), ...resourceRows(state.resources, style)];
  if (state.lastError) lines.push(`Error: ${state.lastError}`);
  lines.push(...rootCauseLines(state.rootCauses, style));
  return lines;
}

export function resourceRows(resources: readonly PublicResourceState[], style: Style): string[] {
  return table(
    resources.map((resource) => [
      `  ${resource.name}`,
      paintState(style, resource.state),
      resource.technology,
      resourceNote(resource),
    ]),
  );
}

/** What a resource needs to say beyond its state: its error, its blocker, or where consumers find it. */
export function resourceNote(resource: PublicResourceState): string {
  if (resource.lastError) return resource.lastError;
  if (resource.blockedBy) return `blocked by ${resource.blockedBy}`;
  const found = WHERE_TO_FIND.map((key) => resource.info?.[key]).find((value) => typeof value === 'string');
  return typeof found === 'string' ? found : '';
}

/** The info field that tells consumers where a resource is, in each technology's own words. */
const WHERE_TO_FIND = ['uri', 'url', 'endpoint', 'functionName'] as const;

/** Why an operation did not complete: each resource's own error, or the dependency that blocked it. */
export function rootCauseLines(causes: readonly RootCause[], style: Style): string[] {
  if (causes.length === 0) return [];
  return [
    style.bad('Root causes:'),
    ...causes.map((cause) =>
      cause.blockedBy
        ? `  ${cause.resource}: not attempted, blocked by ${cause.blockedBy}`
        : `  ${cause.resource}: ${cause.error ?? 'failed'}`,
    ),
  ];
}
