import { parseArgs } from 'node:util';
import { UsageError } from '../cli-errors.js';
import {
  COMMAND_NAMES,
  COMMANDS,
  type CommandName,
  type CommandSpec,
  GLOBAL_OPTIONS,
  type OptionSpec,
} from '../commands/command-specs.js';

export type OutputFormat = 'text' | 'json';

export interface GlobalOptions {
  url?: string;
  token?: string;
  output: OutputFormat;
  color: boolean;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export type CommandLine =
  | { kind: 'help'; command?: CommandSpec; global: GlobalOptions }
  | { kind: 'version'; global: GlobalOptions }
  | {
      kind: 'run';
      command: CommandSpec;
      positionals: string[];
      options: OptionValues;
      global: GlobalOptions;
    };

const PLAIN_GLOBAL: GlobalOptions = { output: 'text', color: true };

/** Reads `dmp COMMAND [ARGS] [OPTIONS]`; global options may come anywhere. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const first = argv[0];
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    const topic = first === 'help' ? argv[1] : undefined;
    return { kind: 'help', ...(topic ? { command: commandNamed(topic) } : {}), global: PLAIN_GLOBAL };
  }
  if (first === '--version' || first === 'version') return { kind: 'version', global: PLAIN_GLOBAL };
  const command = commandNamed(first);
  const { values, positionals } = parseOptions(command, argv.slice(1));
  const global = globalOptions(values);
  if (values.help === true) return { kind: 'help', command, global };
  const { names, required } = command.positionals;
  if (positionals.length < required) {
    throw new UsageError(
      `${command.name} needs ${names.slice(positionals.length).join(' ')}: ${command.usage}`,
    );
  }
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument "${positionals[names.length]}": ${command.usage}`);
  }
  return { kind: 'run', command, positionals, options: values, global };
}

function commandNamed(name: string): CommandSpec {
  if ((COMMAND_NAMES as readonly string[]).includes(name)) return COMMANDS[name as CommandName];
  throw new UsageError(`unknown command "${name}"; commands: ${COMMAND_NAMES.join(', ')} (dmp --help)`);
}

function parseOptions(command: CommandSpec, args: string[]): { values: OptionValues; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries({ ...GLOBAL_OPTIONS, ...command.options }).map(([name, spec]: [string, OptionSpec]) => [
      name,
      { type: spec.type, ...(spec.short ? { short: spec.short } : {}) },
    ]),
  );
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: parsed.values as OptionValues, positionals: parsed.positionals };
  } catch (error) {
    // node:util explains the problem well; add where to look.
    throw new UsageError(`${(error as Error).message} (dmp ${command.name} --help)`);
  }
}

function globalOptions(values: OptionValues): GlobalOptions {
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json') {
    throw new UsageError(`--output must be text or json (got "${String(output)}")`);
  }
  return {
    output,
    color: values['no-color'] !== true,
    ...(typeof values.url === 'string' ? { url: values.url } : {}),
    ...(typeof values.token === 'string' ? { token: values.token } : {}),
  };
}
