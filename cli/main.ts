import { processIo } from './cli-io.js';
import { runCli } from './run-cli.js';

// The process entry point (the bundle cli/dist/dmp.mjs, `npm run dmp`, `bin/dmp.js`): exitCode, not exit(), so pending output is flushed.
process.exitCode = await runCli(process.argv.slice(2), processIo());
