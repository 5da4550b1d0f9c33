import { isTransit, type LifecycleState } from '../../shared/state/lifecycle.js';
import { EXIT, exitCodeForState } from '../exit-codes.js';
import { stateText } from '../render/state-text.js';
import { type CommandRun, flag } from './command-context.js';
import { targetRef } from './target-ref.js';
import { timeoutOf, waitForOutcome } from './wait-for-outcome.js';

/**
 * The state now; with `--wait`, until it settles. Exit 0 for CREATED or
 * DELETED, 1 for anything else, so `dmp status` can gate a pipeline.
 */
export const statusCommand: CommandRun = async (context) => {
  const timeoutMs = timeoutOf(context);
  const ref = targetRef(context);
  if (flag(context, 'wait')) {
    const outcome = await waitForOutcome(context, ref, timeoutMs);
    context.out.jsonDocument(outcome.json);
    return outcome.exitCode;
  }
  const state = await context.client().state(ref);
  context.out.lines(stateText(state, context.out.style));
  context.out.jsonDocument(state);
  return isTransit(state.state as LifecycleState) ? EXIT.failed : exitCodeForState(state.state);
};
