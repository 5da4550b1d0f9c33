import { cancelCommand } from './cancel-command.js';
import type { CommandRun } from './command-context.js';
import type { CommandName } from './command-specs.js';
import { deployCommand } from './deploy-command.js';
import { destroyCommand } from './destroy-command.js';
import { historyCommand } from './history-command.js';
import { listCommand } from './list-command.js';
import { planCommand } from './plan-command.js';
import { statusCommand } from './status-command.js';
import { validateCommand } from './validate-command.js';

export const COMMAND_RUNS: Record<CommandName, CommandRun> = {
  validate: validateCommand,
  plan: planCommand,
  deploy: deployCommand,
  status: statusCommand,
  history: historyCommand,
  list: listCommand,
  destroy: destroyCommand,
  cancel: cancelCommand,
};
