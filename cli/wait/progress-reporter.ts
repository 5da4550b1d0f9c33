import type { PublicDataProductState } from '../../provisioner/domain/public-state.js';
import type { Output } from '../render/output.js';
import { changeLines, liveViewLines } from '../render/progress-text.js';
import { stateChanges } from './state-changes.js';

/** Shows each read of the state: redrawn in place on a terminal, one line per change otherwise, nothing in json mode. */
export class ProgressReporter {
  private previous: PublicDataProductState | undefined;
  private drawnLines = 0;

  constructor(private readonly out: Output) {}

  onState = (state: PublicDataProductState, elapsedMs: number): void => {
    if (this.out.live) this.redraw(liveViewLines(state, elapsedMs, this.out.style, this.out.columns));
    else this.out.lines(changeLines(stateChanges(this.previous, state), state, elapsedMs, this.out.style));
    this.previous = state;
  };

  /** Clears the live view, so the summary replaces it. */
  finish(): void {
    if (this.drawnLines > 0) this.out.raw(`\u001b[${this.drawnLines}F\u001b[0J`);
    this.drawnLines = 0;
  }

  private redraw(lines: string[]): void {
    this.finish();
    this.out.lines(lines);
    this.drawnLines = lines.length;
  }
}
