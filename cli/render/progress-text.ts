import type { PublicDataProductState } from '../../provisioner/domain/public-state.js';
import { describeRef } from '../../shared/descriptor/types.js';
import { formatDuration } from '../args/duration.js';
import type { StateChange } from '../wait/state-changes.js';
import { resourceRows } from './state-text.js';
import { paintState, type Style } from './style.js';
import { visibleWidth } from './table.js';

/** CI logs: one line per change, `+1.2s  raw_orders  CREATING → CREATED`. */
export function changeLines(
  changes: readonly StateChange[],
  state: PublicDataProductState,
  elapsedMs: number,
  style: Style,
): string[] {
  const at = style.dim(`+${formatDuration(elapsedMs)}`.padStart(8));
  return changes.map((change) => {
    const subject = change.resource ?? describeRef(state);
    const transition =
      change.from === null || change.from === change.to
        ? paintState(style, change.to)
        : `${change.from} → ${paintState(style, change.to)}`;
    return `${at}  ${subject}  ${transition}${change.detail ? `  (${change.detail})` : ''}`;
  });
}

/** A terminal: the whole data product, redrawn in place at every read. */
export function liveViewLines(
  state: PublicDataProductState,
  elapsedMs: number,
  style: Style,
  columns: number,
): string[] {
  const done = state.resources.filter(
    (resource) => resource.state === 'CREATED' || resource.state === 'DELETED',
  );
  const header = `${describeRef(state)}  ${paintState(style, state.state)}  ${done.length}/${state.resources.length} settled  ${style.dim(formatDuration(elapsedMs))}`;
  return [header, ...resourceRows(state.resources, style)].map((line) => fitToWidth(line, columns));
}

/** Cuts a line to the terminal's width, so a redraw moves up exactly one row per line. */
function fitToWidth(line: string, columns: number): string {
  if (visibleWidth(line) < columns) return line;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: colour escapes do not survive a cut
  const plain = line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  return `${plain.slice(0, Math.max(columns - 2, 1))}…`;
}
