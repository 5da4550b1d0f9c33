/** ANSI colours for a terminal; identity functions otherwise, so CI logs stay plain text. */
export interface Style {
  ok(text: string): string;
  bad(text: string): string;
  busy(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const paint = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const plain = (text: string) => text;

export function styleFor(color: boolean): Style {
  return color
    ? { ok: paint(32), bad: paint(31), busy: paint(33), dim: paint(2), bold: paint(1) }
    : { ok: plain, bad: plain, busy: plain, dim: plain, bold: plain };
}

/** The colour of a lifecycle state: done, failed, or still moving. */
export function paintState(style: Style, state: string): string {
  if (state === 'CREATED' || state === 'DELETED') return style.ok(state);
  if (state === 'FAILED' || state === 'NOT_COMPLETED') return style.bad(state);
  if (state === 'CREATING' || state === 'UPDATING' || state === 'DELETING') return style.busy(state);
  return style.dim(state);
}
