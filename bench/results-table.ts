export interface ResultRow {
  case: string;
  dmp: string;
  baseline: string;
  ratio: string;
  target: string;
  /** Undefined for figures reported without a target. */
  pass?: boolean;
}

const COLUMNS: { key: keyof ResultRow; title: string }[] = [
  { key: 'case', title: 'case' },
  { key: 'dmp', title: 'dmp' },
  { key: 'baseline', title: 'baseline' },
  { key: 'ratio', title: 'ratio' },
  { key: 'target', title: 'target' },
  { key: 'pass', title: 'result' },
];

function cell(row: ResultRow, key: keyof ResultRow): string {
  if (key === 'pass') return row.pass === undefined ? '—' : row.pass ? 'PASS' : 'FAIL';
  return String(row[key]);
}

/** A plain-text table, one row per figure; the same rows go to results.json. */
export function formatTable(rows: readonly ResultRow[]): string {
  const widths = COLUMNS.map(({ key, title }) =>
    Math.max(title.length, ...rows.map((row) => cell(row, key).length)),
  );
  const line = (values: string[]) =>
    values.map((value, index) => value.padEnd(widths[index] ?? 0)).join('  ');
  return [
    line(COLUMNS.map(({ title }) => title)),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map((row) => line(COLUMNS.map(({ key }) => cell(row, key)))),
  ].join('\n');
}
