import type { HistoryEntry } from '../../shared/state/records.js';
import { ServerUnavailableError, UsageError } from '../cli-errors.js';
import { EXIT } from '../exit-codes.js';
import { historyText } from '../render/listing-text.js';
import { type CommandContext, type CommandRun, stringOption } from './command-context.js';
import { targetRef } from './target-ref.js';

const PAGE_SIZE = 500;

/** Every transition, oldest first, following the server's pages. */
export const historyCommand: CommandRun = async (context) => {
  const ref = targetRef(context);
  const limit = countOption(context, 'limit') ?? Number.POSITIVE_INFINITY;
  let after = countOption(context, 'after') ?? 0;
  const entries: HistoryEntry[] = [];
  const client = context.client();
  while (entries.length < limit) {
    const page = await client.history(ref, after, Math.min(PAGE_SIZE, limit - entries.length));
    entries.push(...page.entries);
    if (page.next === undefined || page.entries.length === 0) break;
    if (page.next <= after)
      throw new ServerUnavailableError('the server did not page forward: stopped reading');
    after = page.next;
  }
  context.out.lines(historyText(entries, context.out.style));
  context.out.jsonDocument({ entries });
  return EXIT.ok;
};

export function countOption(context: CommandContext, name: string): number | undefined {
  const text = stringOption(context, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`--${name} must be a whole number (got "${text}")`);
  return Number(text);
}
