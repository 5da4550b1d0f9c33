import { describeRef } from '../../shared/descriptor/types.js';
import { EXIT } from '../exit-codes.js';
import { type CommandRun, flag } from './command-context.js';
import { targetRef } from './target-ref.js';
import { timeoutOf, waitForOutcome } from './wait-for-outcome.js';

/** Asks the running operation to stop dispatching; with `--wait`, follows it to NOT_COMPLETED (exit 1). */
export const cancelCommand: CommandRun = async (context) => {
  const timeoutMs = timeoutOf(context);
  const ref = targetRef(context);
  const answer = await context.client().cancel(ref);
  context.out.line(
    `Cancel requested: ${describeRef(ref)} is ${answer.state} (operation ${answer.operationId}).`,
  );
  if (!flag(context, 'wait')) {
    context.out.jsonDocument({ cancel: answer });
    return EXIT.ok;
  }
  const outcome = await waitForOutcome(context, ref, timeoutMs);
  context.out.jsonDocument({ cancel: answer, ...outcome.json });
  return outcome.exitCode;
};
