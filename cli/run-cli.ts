import { parseCommandLine } from './args/parse-command-line.js';
import type { CliIo } from './cli-io.js';
import { COMMAND_RUNS } from './commands/command-runs.js';
import { EXIT, type ExitCode, exitCodeForError } from './exit-codes.js';
import { DmpClient } from './http/dmp-client.js';
import { resolveConnection } from './http/server-connection.js';
import { commandHelp, generalHelp } from './render/help-text.js';
import { Output } from './render/output.js';
import { reportError } from './report-error.js';

export const CLI_VERSION = '0.1.0';

/** The whole CLI as a function: arguments in, exit code out; everything it prints goes through `io`. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  // Known before parsing, so that even a usage error is a JSON document when JSON was asked for.
  let out = new Output(io, wantsJson(argv) ? 'json' : 'text', true);
  try {
    const line = parseCommandLine(argv);
    out = new Output(io, line.global.output, line.global.color);
    if (line.kind === 'help') {
      out.lines(line.command ? commandHelp(line.command) : generalHelp());
      out.jsonDocument({ help: line.command?.usage ?? 'dmp COMMAND [ARGUMENTS] [OPTIONS]' });
      return EXIT.ok;
    }
    if (line.kind === 'version') {
      out.line(CLI_VERSION);
      out.jsonDocument({ version: CLI_VERSION });
      return EXIT.ok;
    }
    let client: DmpClient | undefined;
    return await COMMAND_RUNS[line.command.name]({
      io,
      out,
      positionals: line.positionals,
      options: line.options,
      global: line.global,
      client: () => {
        client ??= new DmpClient(resolveConnection(line.global, io.env), io.fetch);
        return client;
      },
    });
  } catch (error) {
    reportError(out, error);
    return exitCodeForError(error);
  }
}

function wantsJson(argv: readonly string[]): boolean {
  return argv.some(
    (arg, index) =>
      arg === '--output=json' ||
      arg === '-o=json' ||
      ((arg === '--output' || arg === '-o') && argv[index + 1] === 'json'),
  );
}
