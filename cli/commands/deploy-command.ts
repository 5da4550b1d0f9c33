import { describeRef, refOf } from '../../shared/descriptor/types.js';
import { readDescriptor } from '../descriptor/read-descriptor.js';
import { validateOffline } from '../descriptor/validate-offline.js';
import { EXIT, exitCodeForState } from '../exit-codes.js';
import { type CommandRun, flag } from './command-context.js';
import { timeoutOf, waitForOutcome } from './wait-for-outcome.js';

/** POSTs the descriptor; with `--wait`, follows the operation to its end. */
export const deployCommand: CommandRun = async (context) => {
  const timeoutMs = timeoutOf(context);
  const file = readDescriptor(context.positionals[0] as string, context.io.cwd);
  const ref = refOf(validateOffline(file));
  const accepted = await context.client().deploy(file);
  if (!accepted.changed) {
    context.out.line(`No changes: ${describeRef(ref)} is ${accepted.state}.`);
    context.out.jsonDocument({ accepted });
    return exitCodeForState(accepted.state);
  }
  context.out.line(`Accepted: ${describeRef(ref)} is ${accepted.state} (operation ${accepted.operationId}).`);
  if (!flag(context, 'wait')) {
    context.out.line(`Follow it with: dmp status ${describeRef(ref)} --wait`);
    context.out.jsonDocument({ accepted });
    return EXIT.ok;
  }
  const outcome = await waitForOutcome(context, ref, timeoutMs);
  context.out.jsonDocument({ accepted, ...outcome.json });
  return outcome.exitCode;
};
