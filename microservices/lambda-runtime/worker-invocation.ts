import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../shared/logging/logger.js';
import type { Invocation } from './function-host.js';
import { INVOCATION_WORKER_SOURCE } from './invocation-worker-source.js';

export interface WorkerInvocationRequest {
  functionName: string;
  functionArn: string;
  /** Absolute path of the handler's module file. */
  file: string;
  exportName: string;
  event: unknown;
  /** The function's environment: the handler's `process.env` holds these and Lambda's own variables only. */
  environment: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
}

/** How much of one chunk of the function's console output goes to the log. */
const MAX_LOG_CHUNK = 8 * 1024;

/**
 * Runs one invocation in a fresh worker thread: its own module graph, its own
 * `process.env`, a heap limited by the function's memory, and a timeout that
 * terminates it. Whatever the handler does (throw, loop forever, exhaust its
 * heap, call process.exit) ends as an Invocation, never as a crash of the host.
 */
export function invokeInWorker(
  request: WorkerInvocationRequest,
  logger: Logger,
  track: (stop: () => Promise<void>) => () => void,
): Promise<Invocation> {
  return new Promise((resolve) => {
    const requestId = randomUUID();
    let settled = false;
    const worker = new Worker(INVOCATION_WORKER_SOURCE, {
      eval: true,
      workerData: {
        file: request.file,
        exportName: request.exportName,
        event: request.event,
        context: {
          functionName: request.functionName,
          functionArn: request.functionArn,
          memoryMb: request.memoryMb,
          timeoutMs: request.timeoutMs,
          requestId,
        },
      },
      env: lambdaEnvironment(request),
      resourceLimits: {
        maxOldGenerationSizeMb: request.memoryMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.floor(request.memoryMb / 8)),
        stackSizeMb: 4,
      },
      stdout: true,
      stderr: true,
    });
    const log = logger.child({ functionName: request.functionName, requestId });
    for (const [stream, level] of [
      [worker.stdout, 'info'],
      [worker.stderr, 'warn'],
    ] as const) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) =>
        log[level](
          { stream: level === 'info' ? 'stdout' : 'stderr' },
          chunk.trimEnd().slice(0, MAX_LOG_CHUNK),
        ),
      );
    }

    const finish = (invocation: Invocation) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      untrack();
      void worker.terminate();
      resolve(invocation);
    };
    const timer = setTimeout(() => {
      finish({
        ok: false,
        error: {
          kind: 'timeout',
          type: 'Sandbox.Timedout',
          message: `Task timed out after ${(request.timeoutMs / 1000).toFixed(2)} seconds`,
        },
      });
    }, request.timeoutMs);
    const untrack = track(async () => {
      finish({
        ok: false,
        error: { kind: 'runtime', type: 'Runtime.Shutdown', message: 'the local runtime is shutting down' },
      });
    });

    worker.once('message', (message: Invocation) => finish(message));
    worker.once('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      finish({
        ok: false,
        error: {
          kind: 'runtime',
          type: outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.UnhandledError',
          message: outOfMemory
            ? `the function ran out of its ${request.memoryMb} MB of memory`
            : `${error.name}: ${error.message}`.slice(0, 4096),
        },
      });
    });
    worker.once('exit', (code) => {
      finish({
        ok: false,
        error: {
          kind: 'runtime',
          type: 'Runtime.ExitError',
          message: `the function exited with code ${code} before answering`,
        },
      });
    });
  });
}

/** What Lambda puts in a function's environment besides its own variables; nothing of the host process. */
function lambdaEnvironment(request: WorkerInvocationRequest): Record<string, string> {
  return {
    ...request.environment,
    AWS_LAMBDA_FUNCTION_NAME: request.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(request.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_REGION: 'local',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
    TZ: 'UTC',
  };
}
