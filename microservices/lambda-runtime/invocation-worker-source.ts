/**
 * The program of the worker thread that runs one invocation, as source text
 * (an `eval` worker), so it runs the same under tsx, vitest and compiled
 * `dist/` without a separate file to ship. It imports the handler's module
 * (ESM or CommonJS), calls the handler async- or callback-style, and posts
 * exactly one message: `{ok: true, payload}` or `{ok: false, error}`, with
 * Lambda's error types for what is not the handler's own error.
 */
export const INVOCATION_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const { file, exportName, event, context } = workerData;

let answered = false;
function answer(message) {
  if (answered) return;
  answered = true;
  parentPort.postMessage(message);
}
function failure(kind, type, error) {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  return { ok: false, error: { kind, type, message: String(message ?? '').slice(0, 4096) } };
}
function errorType(error) {
  if (error instanceof Error) return error.name || 'Error';
  return typeof error;
}

async function run() {
  let module;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    answer(failure('runtime', 'Runtime.ImportModuleError', error));
    return;
  }
  const handler = typeof module[exportName] === 'function' ? module[exportName] : module.default?.[exportName];
  if (typeof handler !== 'function') {
    answer(failure('runtime', 'Runtime.HandlerNotFound', exportName + ' is not a function exported by ' + file));
    return;
  }
  const deadline = Date.now() + context.timeoutMs;
  const lambdaContext = {
    functionName: context.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: context.functionArn,
    memoryLimitInMB: String(context.memoryMb),
    awsRequestId: context.requestId,
    logGroupName: '/aws/lambda/' + context.functionName,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let result;
  try {
    result = await new Promise((resolve, reject) => {
      const callback = (error, value) => (error ? reject(error) : resolve(value));
      const returned = handler(event, lambdaContext, callback);
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    });
  } catch (error) {
    answer(failure('handler', errorType(error), error));
    return;
  }
  let payload;
  try {
    payload = result === undefined ? null : JSON.parse(JSON.stringify(result));
  } catch (error) {
    answer(failure('runtime', 'Runtime.MarshalError', error));
    return;
  }
  answer({ ok: true, payload });
}

run().catch((error) => answer(failure('runtime', 'Runtime.Unknown', error)));
`;
