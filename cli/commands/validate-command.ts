import { describeRef, refOf } from '../../shared/descriptor/types.js';
import { readDescriptor } from '../descriptor/read-descriptor.js';
import { validateOffline } from '../descriptor/validate-offline.js';
import { EXIT } from '../exit-codes.js';
import { type CommandRun, flag, stringOption } from './command-context.js';

/** Offline: the server's parser and descriptor rules. `--remote`: also discovery, governance and microservices. */
export const validateCommand: CommandRun = async (context) => {
  const file = readDescriptor(context.positionals[0] as string, context.io.cwd);
  const discoveryPath = stringOption(context, 'discovery');
  const policyPath = stringOption(context, 'policy');
  const descriptor = validateOffline(file, {
    ...(discoveryPath ? { discoveryPath } : {}),
    ...(policyPath ? { policyPath } : {}),
  });
  const remote = flag(context, 'remote');
  // The plan endpoint runs every check a deploy runs and changes nothing.
  if (remote) await context.client().plan(file);
  const checks = remote ? 'offline and server checks' : 'offline checks';
  context.out.line(`${file.file}: valid (${checks}): ${describeRef(refOf(descriptor))}`);
  context.out.jsonDocument({ valid: true, file: file.file, remote, dataProduct: refOf(descriptor) });
  return EXIT.ok;
};
