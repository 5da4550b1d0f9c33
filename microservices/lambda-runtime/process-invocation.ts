import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openSync, readdirSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Logger } from '../../shared/logging/logger.js';
import type { Invocation, InvocationErrorKind } from './function-host.js';
import { hideHostPaths } from './hide-host-paths.js';
import { INVOCATION_BOOTSTRAP_SOURCE } from './invocation-bootstrap-source.js';
import type { InvocationUser } from './invocation-user.js';

export interface ProcessInvocationRequest {
  functionName: string;
  functionArn: string;
  /** The function's code folder: the only place the process may read. */
  codeFolder: string;
  /** The root of every function's code folder: paths under it are hidden from answers. */
  codeRoot: string;
  /** The handler's module file, inside the code folder. */
  file: string;
  exportName: string;
  event: unknown;
  /** The function's environment: the handler's `process.env` holds these and Lambda's own variables only. */
  environment: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
  /** Who the process runs as; undefined: the platform's own user. */
  user?: InvocationUser;
}

/** How much of one chunk of the function's console output goes to the log. */
const MAX_LOG_CHUNK = 8 * 1024;
/** How much of an invocation's console output goes to the log at all: a chatty function cannot flood it. */
const MAX_LOG_BYTES = 256 * 1024;
/** Lambda's limit on a synchronous response, and a little for the envelope. */
const MAX_ANSWER_BYTES = 6 * 1024 * 1024 + 4096;
/** The end of stderr kept to tell an exhausted heap from another crash. */
const STDERR_TAIL_BYTES = 4096;
const HANDLER_KINDS: readonly InvocationErrorKind[] = ['handler', 'runtime'];

/**
 * Runs one invocation in a process of its own, under Node's permission model:
 * it may read its code folder and nothing else, write nowhere, start neither
 * processes nor workers, and load no native addon. It runs as `request.user`
 * when given, in its own process group, with a heap limited by the function's
 * memory; at the timeout, on `stop`, or once it has answered, the group is
 * killed. Whatever the handler does (throw, loop forever, exhaust its heap,
 * exit, abort, kill itself) ends as an Invocation, never as a crash of the host.
 */
export function invokeInProcess(
  request: ProcessInvocationRequest,
  logger: Logger,
  track: (stop: () => Promise<void>) => () => void,
): Promise<Invocation> {
  return new Promise((resolve) => {
    const requestId = randomUUID();
    const log = logger.child({ functionName: request.functionName, requestId });
    const hide = (text: string) => hideHostPaths(text, request.codeFolder, request.codeRoot);
    let settled = false;
    const stdio = stdioHidingInherited();
    const child = spawn(
      '/bin/sh',
      [
        // The platform's timer kills the process at its timeout; should the platform itself die first, the
        // kernel's CPU limit ends a busy orphan and the bootstrap's own timer an idle one. The shell execs
        // node: same process, same group.
        '-c',
        'ulimit -t "$0" 2>/dev/null; exec "$@"',
        String(cpuLimitSeconds(request.timeoutMs)),
        process.execPath,
        '--experimental-permission',
        `--allow-fs-read=${request.codeFolder}`,
        '--no-addons',
        '--disable-warning=ExperimentalWarning',
        `--max-old-space-size=${request.memoryMb}`,
        '-e',
        INVOCATION_BOOTSTRAP_SOURCE,
        String(stdio.length),
      ],
      {
        cwd: request.codeFolder,
        // Nothing of the platform's environment; the function's variables travel on stdin.
        env: { TZ: 'UTC' },
        stdio,
        detached: true,
        ...(request.user ? { uid: request.user.uid, gid: request.user.gid } : {}),
      },
    );

    // Once the process has exited its pid, and so its group id, may belong to another process.
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    const killGroup = () => {
      if (child.pid === undefined || exited) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const finish = (invocation: Invocation) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      untrack();
      killGroup();
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
      finish(runtimeError('Runtime.Shutdown', 'the local runtime is shutting down'));
    });

    child.once('error', (error: NodeJS.ErrnoException) => {
      // The message of a spawn error names the node binary: only its code goes out.
      log.warn({ err: error }, 'the invocation process could not start');
      finish(
        runtimeError('Runtime.Unknown', `the local runtime could not start the function (${error.code})`),
      );
    });

    child.stdin?.on('error', () => {
      // The process ended before reading its request: its exit says why.
    });
    child.stdin?.end(
      JSON.stringify({
        file: request.file,
        moduleName: request.file.slice(request.codeFolder.length + 1),
        exportName: request.exportName,
        event: request.event,
        environment: lambdaEnvironment(request),
        context: {
          functionName: request.functionName,
          functionArn: request.functionArn,
          memoryMb: request.memoryMb,
          timeoutMs: request.timeoutMs,
          requestId,
        },
      }),
    );

    const stderrTail = logOutput(child.stdout, child.stderr, log);
    readAnswer(child.stdio[3] as Readable, (answer) => {
      finish(
        answer ? withHiddenPaths(answer, hide) : runtimeError('Runtime.Unknown', 'the answer is malformed'),
      );
    });

    child.once('close', (code, signal) => {
      const tail = stderrTail();
      if (/JavaScript heap out of memory|Reached heap limit/.test(tail)) {
        finish(
          runtimeError('Runtime.OutOfMemory', `the function ran out of its ${request.memoryMb} MB of memory`),
        );
        return;
      }
      finish(
        runtimeError(
          'Runtime.ExitError',
          signal
            ? `the function was ended by ${signal} before answering`
            : `the function exited with code ${code} before answering`,
        ),
      );
    });
  });
}

/**
 * stdin, stdout, stderr, the answer's fd 3, then /dev/null in every place up to
 * a little above the platform's highest open descriptor.
 *
 * A descriptor opened without close-on-exec, as dynalite's native LevelDB opens
 * its database files, would otherwise be inherited by the invocation, which
 * could read and write it whatever the permission model and its user say: a
 * permission model checks paths, not descriptors. Node cannot close such a
 * descriptor in a child nor mark it close-on-exec, but its spawn duplicates an
 * `fd` given at position n onto descriptor n, replacing what was there; the
 * bootstrap closes 4 to the end of the list before anything else. A
 * descriptor the platform opens meanwhile takes the lowest free number, below
 * the margin.
 */
function stdioHidingInherited(): ('pipe' | number)[] {
  const open = readdirSync(OPEN_DESCRIPTORS).map(Number).filter(Number.isInteger);
  const end = Math.max(3, ...open) + 1 + DESCRIPTOR_MARGIN;
  devNull ??= openSync('/dev/null', 'r');
  return ['pipe', 'pipe', 'pipe', 'pipe', ...new Array<number>(end - 4).fill(devNull)];
}

/** The process's open descriptors: /proc/self/fd on Linux, /dev/fd on macOS. */
const OPEN_DESCRIPTORS = '/dev/fd';
const DESCRIPTOR_MARGIN = 16;
let devNull: number | undefined;

/** Generous: the platform's timer is what enforces the timeout; this only bounds an orphan. */
function cpuLimitSeconds(timeoutMs: number): number {
  return Math.ceil(timeoutMs / 1000) * 2 + 5;
}

function runtimeError(type: string, message: string): Invocation {
  return { ok: false, error: { kind: 'runtime', type, message } };
}

/** Reads the one line the bootstrap writes to fd 3; more than Lambda's response limit is malformed. */
function readAnswer(stream: Readable, done: (answer: Invocation | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let delivered = false;
  const deliver = (answer: Invocation | undefined) => {
    if (delivered) return;
    delivered = true;
    stream.destroy();
    done(answer);
  };
  stream.on('data', (chunk: Buffer) => {
    const newline = chunk.indexOf(0x0a);
    chunks.push(newline === -1 ? chunk : chunk.subarray(0, newline));
    size += chunk.length;
    if (newline !== -1) deliver(parseAnswer(Buffer.concat(chunks).toString('utf8')));
    else if (size > MAX_ANSWER_BYTES) deliver(undefined);
  });
  stream.on('error', () => {
    // The process was killed; its exit is reported instead.
  });
}

/** The bootstrap's answer, checked: the process runs the tenant's code, so its output is not trusted. */
function parseAnswer(line: string): Invocation | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const answer = value as { ok?: unknown; payload?: unknown; error?: unknown };
  if (answer.ok === true) return { ok: true, payload: answer.payload ?? null };
  const error = answer.error as { kind?: unknown; type?: unknown; message?: unknown } | undefined;
  if (
    answer.ok !== false ||
    typeof error !== 'object' ||
    error === null ||
    !HANDLER_KINDS.includes(error.kind as InvocationErrorKind) ||
    typeof error.type !== 'string' ||
    typeof error.message !== 'string'
  ) {
    return undefined;
  }
  return {
    ok: false,
    error: {
      kind: error.kind as InvocationErrorKind,
      type: error.type.slice(0, 256),
      message: error.message.slice(0, 4096),
    },
  };
}

function withHiddenPaths(invocation: Invocation, hide: (text: string) => string): Invocation {
  if (invocation.ok) return invocation;
  return {
    ok: false,
    error: {
      ...invocation.error,
      type: hide(invocation.error.type),
      message: hide(invocation.error.message),
    },
  };
}

/**
 * Logs what the function prints, a chunk at a time, up to MAX_LOG_BYTES per
 * invocation; returns a reader of the end of stderr.
 */
function logOutput(stdout: Readable | null, stderr: Readable | null, log: Logger): () => string {
  let logged = 0;
  let tail = '';
  for (const [stream, level] of [
    [stdout, 'info'],
    [stderr, 'warn'],
  ] as const) {
    if (!stream) continue;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      if (level === 'warn') tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
      if (logged >= MAX_LOG_BYTES) return;
      const text = chunk.trimEnd().slice(0, Math.min(MAX_LOG_CHUNK, MAX_LOG_BYTES - logged));
      logged += text.length;
      log[level]({ stream: level === 'info' ? 'stdout' : 'stderr' }, text);
      if (logged >= MAX_LOG_BYTES)
        log.warn({}, `the function printed more than ${MAX_LOG_BYTES} bytes; the rest is not logged`);
    });
    stream.on('error', () => {
      // The process was killed.
    });
  }
  return () => tail;
}

/** What Lambda puts in a function's environment besides its own variables; nothing of the host process. */
function lambdaEnvironment(
  request: Pick<ProcessInvocationRequest, 'environment' | 'functionName' | 'memoryMb'>,
): Record<string, string> {
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
