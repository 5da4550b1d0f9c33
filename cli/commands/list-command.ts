import type { DataProductSummary } from '../../shared/state/state-client.js';
import { ServerUnavailableError } from '../cli-errors.js';
import { EXIT } from '../exit-codes.js';
import type { ListQuery } from '../http/dmp-client.js';
import { listText } from '../render/listing-text.js';
import { type CommandRun, flag, stringOption } from './command-context.js';
import { countOption } from './history-command.js';

/** One page of data products (or every page with `--all`), with the cursor of the next. */
export const listCommand: CommandRun = async (context) => {
  const query: ListQuery = {};
  for (const name of ['environment', 'domain', 'state', 'cursor'] as const) {
    const value = stringOption(context, name);
    if (value !== undefined) query[name] = value;
  }
  const limit = countOption(context, 'limit');
  if (limit !== undefined) query.limit = limit;
  const client = context.client();
  const items: DataProductSummary[] = [];
  let cursor: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await client.list({ ...query, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
    if (cursor !== undefined && seen.has(cursor)) {
      throw new ServerUnavailableError('the server answered the same page cursor twice: stopped listing');
    }
    if (cursor !== undefined) seen.add(cursor);
  } while (cursor !== undefined && flag(context, 'all'));
  context.out.lines(listText(items, context.out.style));
  if (cursor !== undefined) context.out.line(`More: dmp list --cursor ${cursor}`);
  context.out.jsonDocument({ items, ...(cursor !== undefined ? { cursor } : {}) });
  return EXIT.ok;
};
