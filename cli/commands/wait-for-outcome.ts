import type { PublicDataProductState } from '../../provisioner/domain/public-state.js';
import type { DataProductRef } from '../../shared/descriptor/types.js';
import { parseDuration } from '../args/duration.js';
import { EXIT, type ExitCode, exitCodeForState } from '../exit-codes.js';
import { summaryText } from '../render/summary-text.js';
import { followOperation } from '../wait/follow-operation.js';
import { ProgressReporter } from '../wait/progress-reporter.js';
import { type CommandContext, stringOption } from './command-context.js';

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

export interface Outcome {
  exitCode: ExitCode;
  /** The json mode's account of the wait. */
  json: { outcome: 'settled' | 'timeout'; durationMs: number; state: PublicDataProductState };
}

/** Reads `--timeout` before anything is sent, so a typo does not leave an operation running unwatched. */
export function timeoutOf(context: CommandContext): number {
  const text = stringOption(context, 'timeout');
  return text === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(text, '--timeout');
}

/** `--wait`: live progress, then the summary; exit 0, 1 (FAILED / NOT_COMPLETED) or 3 (timeout). */
export async function waitForOutcome(
  context: CommandContext,
  ref: DataProductRef,
  timeoutMs: number,
): Promise<Outcome> {
  const reporter = new ProgressReporter(context.out);
  const result = await followOperation(context.client(), ref, context.io, {
    timeoutMs,
    onState: reporter.onState,
  });
  reporter.finish();
  const timedOut = result.kind === 'timeout';
  context.out.lines(summaryText(result.state, result.elapsedMs, timedOut, context.out.style));
  return {
    exitCode: timedOut ? EXIT.timeout : exitCodeForState(result.state.state),
    json: { outcome: result.kind, durationMs: result.elapsedMs, state: result.state },
  };
}
