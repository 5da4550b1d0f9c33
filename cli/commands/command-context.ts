import type { GlobalOptions, OptionValues } from '../args/parse-command-line.js';
import type { CliIo } from '../cli-io.js';
import type { ExitCode } from '../exit-codes.js';
import type { DmpClient } from '../http/dmp-client.js';
import type { Output } from '../render/output.js';

export interface CommandContext {
  io: CliIo;
  out: Output;
  positionals: string[];
  options: OptionValues;
  global: GlobalOptions;
  /** The server's API; resolving it fails (exit 4) only for commands that need a server. */
  client(): DmpClient;
}

export type CommandRun = (context: CommandContext) => Promise<ExitCode>;

export function stringOption(context: CommandContext, name: string): string | undefined {
  const value = context.options[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(context: CommandContext, name: string): boolean {
  return context.options[name] === true;
}
