import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * One service of the fault suite in its own OS process, from its TypeScript
 * entry point: started, killed with any signal, and started again with the
 * same environment (so on the same port).
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  output = '';

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: Record<string, string>,
    private readonly ready = /listening on/,
  ) {}

  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    // Node with tsx's loader, not the tsx CLI: the CLI runs the script in a grandchild that a kill would miss.
    const child = spawn(process.execPath, ['--import', 'tsx', this.entry], {
      cwd: root,
      env: { ...process.env, DMP_LOG_LEVEL: 'warn', ...this.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.output = `${this.output}${chunk}`.slice(-20_000);
        seen += chunk.toString();
        if (this.ready.test(seen)) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) =>
        reject(new Error(`${this.name} exited (${code ?? signal}) before it was ready:\n${seen}`)),
      );
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Sends the signal; resolves once the process is gone (SIGSTOP: at once). */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    if (signal !== 'SIGSTOP' && signal !== 'SIGCONT') await this.exited;
  }

  /** Resolves once the process has exited, however it ended. */
  async ended(): Promise<void> {
    await this.exited;
  }

  async stop(): Promise<void> {
    await this.signal('SIGCONT');
    await this.signal('SIGKILL');
  }
}
