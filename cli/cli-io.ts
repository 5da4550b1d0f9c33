/** Everything the CLI touches outside itself, so a test can run it in-process and read what it printed. */
export interface OutputStream {
  write(text: string): void;
  /** True when a person watches: the live view redraws in place. */
  isTTY: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative descriptor paths are read from here. */
  cwd: string;
  now(): number;
  sleep(ms: number): Promise<void>;
  fetch: typeof fetch;
  /** Backoff of `--wait` between two state reads; tests shorten it. */
  poll: { initialMs: number; maxMs: number };
}

export const DEFAULT_POLL = { initialMs: 250, maxMs: 2_000 } as const;

/** The real process: its streams, environment and clock. */
export function processIo(): CliIo {
  const stream = (target: NodeJS.WriteStream): OutputStream => ({
    write: (text) => {
      target.write(text);
    },
    isTTY: target.isTTY === true,
    ...(target.columns ? { columns: target.columns } : {}),
  });
  return {
    stdout: stream(process.stdout),
    stderr: stream(process.stderr),
    env: process.env,
    cwd: process.cwd(),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    fetch: globalThis.fetch,
    poll: DEFAULT_POLL,
  };
}
