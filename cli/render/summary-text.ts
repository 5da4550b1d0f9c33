import type { PublicDataProductState } from '../../provisioner/domain/public-state.js';
import { describeRef } from '../../shared/descriptor/types.js';
import { formatDuration } from '../args/duration.js';
import { resourceRows, rootCauseLines } from './state-text.js';
import { paintState, type Style } from './style.js';

/** The end of `--wait`: the outcome, how long it took, each resource's outcome and every root cause. */
export function summaryText(
  state: PublicDataProductState,
  elapsedMs: number,
  timedOut: boolean,
  style: Style,
): string[] {
  const ref = describeRef(state);
  const head = timedOut
    ? style.bad(`Timed out after ${formatDuration(elapsedMs)}: ${ref} is still ${state.state}.`)
    : `${ref} is ${paintState(style, state.state)} after ${formatDuration(elapsedMs)}.`;
  const lines = [style.bold(head), ...resourceRows(state.resources, style)];
  if (state.lastError) lines.push(`Error: ${state.lastError}`);
  lines.push(...rootCauseLines(state.rootCauses, style));
  if (timedOut) {
    const path = `${state.environment}/${state.domain}/${state.name}/${state.version}`;
    lines.push(
      `The operation goes on: follow it with "dmp status ${path} --wait", stop it with "dmp cancel ${path}".`,
    );
  }
  return lines;
}
