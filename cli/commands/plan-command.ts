import { readDescriptor } from '../descriptor/read-descriptor.js';
import { validateOffline } from '../descriptor/validate-offline.js';
import { EXIT } from '../exit-codes.js';
import { issuesJson } from '../render/issues-text.js';
import { planText } from '../render/plan-text.js';
import type { CommandRun } from './command-context.js';

/** What a deploy would do now; exit 2 when the deploy would be refused for an immutable change. */
export const planCommand: CommandRun = async (context) => {
  const file = readDescriptor(context.positionals[0] as string, context.io.cwd);
  validateOffline(file);
  const plan = await context.client().plan(file);
  context.out.lines(planText(plan, context.out.style, file.file));
  context.out.jsonDocument({ ...plan, immutable: issuesJson(plan.immutable, file.file) });
  return plan.immutable.length > 0 ? EXIT.invalidInput : EXIT.ok;
};
