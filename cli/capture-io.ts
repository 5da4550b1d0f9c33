import type { CliIo } from './cli-io.js';

export interface CapturedIo extends CliIo {
  /** Everything written to stdout so far. */
  out(): string;
  err(): string;
}

/**
 * An io that records what the CLI prints, for in-process runs (tests, and
 * anyone embedding the CLI). Clock, sleep and fetch are real unless given.
 */
export function captureIo(overrides: Partial<CliIo> & { tty?: boolean; columns?: number } = {}): CapturedIo {
  let stdout = '';
  let stderr = '';
  const { tty = false, columns, ...rest } = overrides;
  return {
    stdout: {
      write: (text) => {
        stdout += text;
      },
      isTTY: tty,
      ...(columns ? { columns } : {}),
    },
    stderr: {
      write: (text) => {
        stderr += text;
      },
      isTTY: false,
    },
    env: {},
    cwd: process.cwd(),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    fetch: globalThis.fetch,
    poll: { initialMs: 20, maxMs: 100 },
    ...rest,
    out: () => stdout,
    err: () => stderr,
  };
}
