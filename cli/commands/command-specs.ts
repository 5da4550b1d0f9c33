/** What each command accepts: pure data, read by the argument parser and the help text. */

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help after the option, for string options. */
  value?: string;
  description: string;
}

export interface CommandSpec {
  name: CommandName;
  summary: string;
  usage: string;
  /** Names of the positional arguments, and how many are required. */
  positionals: { names: string[]; required: number };
  options: Record<string, OptionSpec>;
  details?: string;
}

export const COMMAND_NAMES = [
  'validate',
  'plan',
  'deploy',
  'status',
  'history',
  'list',
  'destroy',
  'cancel',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: 'string', value: 'URL', description: 'provisioner URL (default: $DMP_URL)' },
  token: { type: 'string', value: 'TOKEN', description: 'bearer token (default: $DMP_TOKEN); never printed' },
  output: {
    type: 'string',
    short: 'o',
    value: 'text|json',
    description: 'json: one JSON document on stdout',
  },
  'no-color': { type: 'boolean', description: 'no colours (also: NO_COLOR set)' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

const wait = {
  wait: { type: 'boolean', short: 'w', description: 'follow the operation until it settles' },
  timeout: {
    type: 'string',
    value: 'DURATION',
    description: 'with --wait: give up after this long, exit 3 (default 30m; 90s, 10m, 1h)',
  },
} satisfies Record<string, OptionSpec>;

const file = {
  file: { type: 'string', short: 'f', value: 'FILE', description: 'take the reference from a descriptor' },
} satisfies Record<string, OptionSpec>;

export const COMMANDS: Record<CommandName, CommandSpec> = {
  validate: {
    name: 'validate',
    summary: 'check a descriptor offline (and with --remote, on the server)',
    usage: 'dmp validate FILE [--remote] [--discovery FILE] [--policy FILE]',
    positionals: { names: ['FILE'], required: 1 },
    options: {
      remote: {
        type: 'boolean',
        description: "also run the server's checks (discovery, governance, microservices) through /plan",
      },
      discovery: {
        type: 'string',
        value: 'FILE',
        description: 'check environments and technologies against this discovery config',
      },
      policy: { type: 'string', value: 'FILE', description: 'check this governance policy offline' },
    },
    details: 'Every problem is printed as FILE:LINE:COLUMN: /json/pointer: message. Needs no server.',
  },
  plan: {
    name: 'plan',
    summary: 'show what a deploy would do, per resource, and the waves',
    usage: 'dmp plan FILE',
    positionals: { names: ['FILE'], required: 1 },
    options: {},
    details: 'Exit 2 when the deploy would be refused (an immutable field changed).',
  },
  deploy: {
    name: 'deploy',
    summary: 'create or update a data product',
    usage: 'dmp deploy FILE [--wait] [--timeout 10m]',
    positionals: { names: ['FILE'], required: 1 },
    options: { ...wait },
  },
  status: {
    name: 'status',
    summary: "show a data product's state and its resources",
    usage: 'dmp status ENV/DOMAIN/NAME/VERSION | --file FILE [--wait] [--timeout 10m]',
    positionals: { names: ['REF'], required: 0 },
    options: { ...file, ...wait },
    details: 'Exit code: 0 CREATED or DELETED, 1 anything else once settled (or in transit without --wait).',
  },
  history: {
    name: 'history',
    summary: 'show every recorded transition of a data product',
    usage: 'dmp history ENV/DOMAIN/NAME/VERSION | --file FILE [--after SEQ] [--limit N]',
    positionals: { names: ['REF'], required: 0 },
    options: {
      ...file,
      after: { type: 'string', value: 'SEQ', description: 'only entries after this sequence number' },
      limit: { type: 'string', value: 'N', description: 'at most N entries (default: all)' },
    },
  },
  list: {
    name: 'list',
    summary: 'list data products',
    usage: 'dmp list [--environment ENV] [--domain DOMAIN] [--state STATE] [--limit N] [--cursor C] [--all]',
    positionals: { names: [], required: 0 },
    options: {
      environment: { type: 'string', value: 'ENV', description: 'only this environment' },
      domain: { type: 'string', value: 'DOMAIN', description: 'only this domain' },
      state: { type: 'string', value: 'STATE', description: 'only data products in this state' },
      limit: { type: 'string', value: 'N', description: 'page size, 1 to 100' },
      cursor: { type: 'string', value: 'C', description: 'the next page, as printed by the previous one' },
      all: { type: 'boolean', description: 'follow the cursor through every page' },
    },
  },
  destroy: {
    name: 'destroy',
    summary: 'delete a data product (its data is kept unless --remove-data)',
    usage: 'dmp destroy FILE | ENV/DOMAIN/NAME/VERSION [--remove-data] [--wait] [--timeout 10m]',
    positionals: { names: ['FILE|REF'], required: 1 },
    options: {
      'remove-data': { type: 'boolean', description: 'also delete the objects under the folders' },
      ...wait,
    },
  },
  cancel: {
    name: 'cancel',
    summary: 'stop dispatching a running operation; it ends NOT_COMPLETED',
    usage: 'dmp cancel ENV/DOMAIN/NAME/VERSION | --file FILE [--wait] [--timeout 10m]',
    positionals: { names: ['REF'], required: 0 },
    options: { ...file, ...wait },
  },
};
