import type { DataProductRef } from '../../shared/descriptor/types.js';
import { parseDataProductRef } from '../args/data-product-ref.js';
import { UsageError } from '../cli-errors.js';
import { readDescriptor } from '../descriptor/read-descriptor.js';
import { refOfDescriptorFile } from '../descriptor/validate-offline.js';
import { type CommandContext, stringOption } from './command-context.js';

/** The data product a command is about: `ENV/DOMAIN/NAME/VERSION`, or the one `--file` describes. */
export function targetRef(context: CommandContext): DataProductRef {
  const positional = context.positionals[0];
  const file = stringOption(context, 'file');
  if (positional !== undefined && file !== undefined) {
    throw new UsageError('give either ENV/DOMAIN/NAME/VERSION or --file, not both');
  }
  if (file !== undefined) return refOfDescriptorFile(readDescriptor(file, context.io.cwd));
  if (positional !== undefined) return parseDataProductRef(positional);
  throw new UsageError('give the data product as ENV/DOMAIN/NAME/VERSION or --file FILE');
}
