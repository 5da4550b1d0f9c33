import type { OutputFormat } from '../args/parse-command-line.js';
import type { CliIo } from '../cli-io.js';
import { type Style, styleFor } from './style.js';

/**
 * Where a command writes. In json mode only `json()` reaches stdout, so a
 * pipeline can parse it; text goes to stdout, problems to stderr.
 */
export class Output {
  readonly style: Style;

  constructor(
    private readonly io: CliIo,
    readonly format: OutputFormat,
    color: boolean,
  ) {
    this.style = styleFor(color && io.stdout.isTTY && io.env.NO_COLOR === undefined);
  }

  get json(): boolean {
    return this.format === 'json';
  }

  /** A person watches: redraw the live view in place. */
  get live(): boolean {
    return !this.json && this.io.stdout.isTTY;
  }

  get columns(): number {
    return this.io.stdout.columns ?? 100;
  }

  lines(lines: readonly string[]): void {
    if (!this.json && lines.length > 0) this.io.stdout.write(`${lines.join('\n')}\n`);
  }

  line(text: string): void {
    this.lines([text]);
  }

  /** Raw text for the live view's cursor movements. */
  raw(text: string): void {
    if (!this.json) this.io.stdout.write(text);
  }

  problem(lines: readonly string[]): void {
    if (!this.json && lines.length > 0) this.io.stderr.write(`${lines.join('\n')}\n`);
  }

  jsonDocument(value: unknown): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}
