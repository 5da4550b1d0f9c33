import type { HistoryEntry } from '../../shared/state/records.js';
import type { DataProductSummary } from '../../shared/state/state-client.js';
import { paintState, type Style } from './style.js';
import { table } from './table.js';

/** `dmp list`: one row per data product. */
export function listText(items: readonly DataProductSummary[], style: Style): string[] {
  if (items.length === 0) return ['No data products.'];
  return table([
    ['ENVIRONMENT', 'DOMAIN', 'NAME', 'VERSION', 'STATE', 'UPDATED'],
    ...items.map((item) => [
      item.environment,
      item.domain,
      item.name,
      item.version,
      paintState(style, item.state),
      item.updatedAt,
    ]),
  ]);
}

/** `dmp history`: one row per transition, oldest first. */
export function historyText(entries: readonly HistoryEntry[], style: Style): string[] {
  if (entries.length === 0) return ['No history.'];
  return table([
    ['SEQ', 'AT', 'SUBJECT', 'TRANSITION', 'BY', 'NOTE'],
    ...entries.map((entry) => [
      String(entry.seq),
      entry.at,
      entry.resource ?? '(data product)',
      `${entry.from} → ${paintState(style, entry.to)}`,
      entry.actor,
      [entry.error, entry.note].filter(Boolean).join('; '),
    ]),
  ]);
}
