import {
  COMMAND_NAMES,
  COMMANDS,
  type CommandSpec,
  GLOBAL_OPTIONS,
  type OptionSpec,
} from '../commands/command-specs.js';
import { table } from './table.js';

const EXIT_CODES = [
  ['0', 'success'],
  ['1', 'provisioning FAILED or NOT_COMPLETED (each root cause printed), or the data product is busy (409)'],
  ['2', 'invalid input: every problem printed as FILE:LINE: /path: message'],
  ['3', '--wait timed out (the operation goes on)'],
  ['4', 'cannot reach the server, server error, or not authorized (401/403)'],
];

export function generalHelp(): string[] {
  return [
    'dmp: provision data products from their descriptors',
    '',
    'Usage: dmp COMMAND [ARGUMENTS] [OPTIONS]',
    '',
    'Commands:',
    ...table(COMMAND_NAMES.map((name) => [`  ${name}`, COMMANDS[name].summary])),
    '',
    'Options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Exit codes:',
    ...table(EXIT_CODES.map(([code, meaning]) => [`  ${code}`, meaning as string])),
    '',
    'Server: DMP_URL (or --url); token: DMP_TOKEN (or --token). "dmp COMMAND --help" for details.',
  ];
}

export function commandHelp(command: CommandSpec): string[] {
  return [
    `${command.usage}`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    ...(Object.keys(command.options).length > 0 ? ['', 'Options:', ...optionLines(command.options)] : []),
    '',
    'Options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
  ];
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  return table(
    Object.entries(options).map(([name, spec]) => [
      `  ${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`,
      spec.description,
    ]),
  );
}
