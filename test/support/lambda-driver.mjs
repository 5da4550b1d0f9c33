// A stand-in for the AWS Lambda Node.js runtime (test/build/lambda-packages.test.ts): `node lambda-driver.mjs
// FILE EXPORT` imports the handler module as the runtime's init phase does, then runs each event its parent
// sends over IPC, one at a time, answering with the handler's result or error, as one invocation each.
import { pathToFileURL } from 'node:url';

const [file, exportName] = process.argv.slice(2);
const module = await import(pathToFileURL(file).href);
const handler = module[exportName];
if (typeof handler !== 'function') throw new Error(`${exportName} is not a function exported by ${file}`);

let previous = Promise.resolve();
process.on('message', ({ id, event }) => {
  previous = previous.then(async () => {
    const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: `request-${id}` };
    try {
      const result = await handler(event, context);
      process.send({ id, ok: true, result: result ?? null });
    } catch (error) {
      process.send({ id, ok: false, error: { name: error?.name, message: error?.message } });
    }
  });
});
process.send({ ready: true });
