/**
 * The program of the process that runs one invocation, as source text for
 * `node -e`, so it runs the same under tsx, vitest and compiled `dist/`
 * without a file the sandbox would have to be allowed to read.
 *
 * Before the handler's module is loaded it
 * - closes the descriptors the platform passed in place of its own (4 to
 *   `argv[1]`);
 * - takes away every way of signalling another process: the permission model
 *   of Node 20 guards neither `process.kill` nor `process._debugProcess` (which
 *   sends SIGUSR1, opening the inspector of the process it is aimed at), and
 *   when the platform and the invocation share a user nothing else would stop
 *   them; the real functions stay in this closure, out of the handler's reach
 *   (`process.binding` is refused under the permission model);
 * - reads its request (`{file, exportName, event, environment, context}`)
 *   from stdin to its end;
 * - empties `process.env` and puts in the function's variables only. They
 *   come through stdin rather than the process's environment, so that none
 *   of them (NODE_OPTIONS, LD_PRELOAD, NODE_EXTRA_CA_CERTS…) is read by Node
 *   or the C library at start-up.
 *
 * It then imports the handler's module (ESM or CommonJS), calls the handler
 * async- or callback-style, and writes exactly one line of JSON to fd 3:
 * `{ok: true, payload}` or `{ok: false, error}`, with Lambda's error types for
 * what is not the handler's own error. What the handler prints goes to
 * stdout and stderr, which the platform logs.
 */
export const INVOCATION_BOOTSTRAP_SOURCE = `
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const { syncBuiltinESMExports } = require('node:module');
const { pathToFileURL } = require('node:url');

// Descriptors 4 to argv[1] are /dev/null in place of what the platform may have left open (see
// stdioHidingInherited): closed before anything else, so that no descriptor of the platform's remains.
for (let fd = 4; fd < Number(process.argv[1]); fd += 1) {
  try {
    fs.closeSync(fd);
  } catch {}
}

const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
const ownPid = process.pid;
const realKill = process._kill;
const realSetPriority = os.setPriority;
const reallyExit = process.reallyExit;
const EPERM = -os.constants.errno.EPERM;
function lock(target, key, value) {
  Object.defineProperty(target, key, { value, writable: false, configurable: false, enumerable: false });
}
function refused(syscall) {
  const error = new Error(syscall + ' EPERM: the local runtime lets a function signal its own process only');
  error.code = 'EPERM';
  error.syscall = syscall;
  return error;
}
// process.kill validates its arguments, then calls process._kill and throws "kill EPERM" on -EPERM.
lock(process, '_kill', (pid, signal) => (pid === ownPid ? realKill.call(process, pid, signal) : EPERM));
lock(process, '_debugProcess', () => { throw refused('debugProcess'); });
lock(os, 'setPriority', (pid, priority) => {
  if (priority !== undefined && pid !== 0 && pid !== ownPid) throw refused('setpriority');
  return priority === undefined ? realSetPriority(pid) : realSetPriority(pid, priority);
});
syncBuiltinESMExports();

let answered = false;
function answer(message) {
  if (answered) return;
  answered = true;
  let line = JSON.stringify(message);
  if (Buffer.byteLength(line) > MAX_RESPONSE_BYTES) {
    line = JSON.stringify(failure('runtime', 'Function.ResponseSizeTooLarge',
      'the response is larger than ' + MAX_RESPONSE_BYTES + ' bytes'));
  }
  try {
    fs.writeSync(3, line + '\\n');
  } finally {
    reallyExit(0);
  }
}
function failure(kind, type, error) {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  return { ok: false, error: { kind, type: String(type).slice(0, 256), message: String(message ?? '').slice(0, 4096) } };
}
function errorType(error) {
  if (error instanceof Error) return error.name || 'Error';
  return typeof error;
}
process.on('uncaughtException', (error) => {
  const text = error instanceof Error ? (error.name || 'Error') + ': ' + error.message : String(error);
  answer(failure('runtime', 'Runtime.UnhandledError', text));
});

async function run(request) {
  const { file, moduleName, exportName, event, environment, context } = request;
  // The platform kills this process at the timeout; this timer ends it should the platform be gone.
  setTimeout(() => reallyExit(124), context.timeoutMs + 2000).unref();
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, environment);
  let module;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    answer(failure('runtime', 'Runtime.ImportModuleError', error));
    return;
  }
  const handler = typeof module[exportName] === 'function' ? module[exportName] : module.default?.[exportName];
  if (typeof handler !== 'function') {
    answer(failure('runtime', 'Runtime.HandlerNotFound', exportName + ' is not a function exported by ' + moduleName));
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

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  let request;
  try {
    request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    answer(failure('runtime', 'Runtime.Unknown', 'the invocation request is unreadable'));
    return;
  }
  run(request).catch((error) => answer(failure('runtime', 'Runtime.Unknown', error)));
});
`;
