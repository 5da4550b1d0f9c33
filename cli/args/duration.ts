import { UsageError } from '../cli-errors.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Reads `90s`, `10m`, `1.5h`, `500ms` (a bare number is seconds) into milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const amount = match ? Number(match[1]) : Number.NaN;
  const unit = (match?.[2] ?? 's') as keyof typeof UNIT_MS;
  const ms = Math.round(amount * UNIT_MS[unit]);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(`${option} must be a positive duration such as 90s, 10m or 1h (got "${text}")`);
  }
  return ms;
}

/** `3.2s`, `2m05s`: short enough for a progress line. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1_000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}
