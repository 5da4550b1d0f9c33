import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type DataProductRef, describeRef, refOf } from '../../shared/descriptor/types.js';
import { looksLikeRef, parseDataProductRef } from '../args/data-product-ref.js';
import { readDescriptor } from '../descriptor/read-descriptor.js';
import { validateOffline } from '../descriptor/validate-offline.js';
import { EXIT, exitCodeForState } from '../exit-codes.js';
import type { DescriptorBody } from '../http/dmp-client.js';
import { type CommandContext, type CommandRun, flag } from './command-context.js';
import { timeoutOf, waitForOutcome } from './wait-for-outcome.js';

/** DELETEs by descriptor or by reference; data is kept unless `--remove-data`. */
export const destroyCommand: CommandRun = async (context) => {
  const timeoutMs = timeoutOf(context);
  const { ref, target } = destroyTarget(context);
  const accepted = await context.client().destroy(target, flag(context, 'remove-data'));
  if (!accepted.changed) {
    context.out.line(`No changes: ${describeRef(ref)} is already ${accepted.state}.`);
    context.out.jsonDocument({ accepted });
    return exitCodeForState(accepted.state);
  }
  context.out.line(`Accepted: ${describeRef(ref)} is ${accepted.state} (operation ${accepted.operationId}).`);
  if (!flag(context, 'wait')) {
    context.out.jsonDocument({ accepted });
    return EXIT.ok;
  }
  const outcome = await waitForOutcome(context, ref, timeoutMs);
  context.out.jsonDocument({ accepted, ...outcome.json });
  return outcome.exitCode;
};

/** An existing file is a descriptor; otherwise the argument must be ENV/DOMAIN/NAME/VERSION. */
function destroyTarget(context: CommandContext): {
  ref: DataProductRef;
  target: DescriptorBody | DataProductRef;
} {
  const argument = context.positionals[0] as string;
  if (looksLikeRef(argument) && !existsSync(resolve(context.io.cwd, argument))) {
    const ref = parseDataProductRef(argument);
    return { ref, target: ref };
  }
  const file = readDescriptor(argument, context.io.cwd);
  return { ref: refOf(validateOffline(file)), target: file };
}
