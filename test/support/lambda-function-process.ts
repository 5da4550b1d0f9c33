import { fork } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FunctionProcess {
  /** One invocation: the handler's result (null for none), or a rejection with its error. */
  invoke(event: unknown): Promise<unknown>;
  output(): string;
  stop(): Promise<void>;
}

type Answer =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { message?: string } };

/**
 * A function package unpacked in `codeDir`, run as the Lambda runtime runs
 * it: a fresh Node process (nothing of this one: no loader, no execArgv) loads
 * the module of `handler` (`index.handler`: index.mjs, export handler) with
 * `env` as its environment. The driver is copied next to nothing of the
 * checkout (`driverDir`), so no module the function loads can reach its
 * node_modules.
 */
export async function startFunctionProcess(
  codeDir: string,
  handler: string,
  env: NodeJS.ProcessEnv,
  driverDir: string,
): Promise<FunctionProcess> {
  const [moduleName, exportName] = handler.split('.') as [string, string];
  const driver = join(driverDir, 'lambda-driver.mjs');
  copyFileSync(new URL('./lambda-driver.mjs', import.meta.url), driver);
  const child = fork(driver, [join(codeDir, `${moduleName}.mjs`), exportName], {
    cwd: codeDir,
    env,
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) =>
      reject(new Error(`the function exited with ${code} while loading:\n${output}`)),
    );
  });
  child.on('message', (message: Answer) => {
    const call = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) call?.resolve(message.result);
    else call?.reject(new Error(message.error.message ?? 'the handler failed'));
  });
  child.once('exit', (code) => {
    for (const call of pending.values())
      call.reject(new Error(`the function exited with ${code}:\n${output}`));
  });
  let nextId = 0;
  return {
    invoke: (event) =>
      new Promise((resolve, reject) => {
        nextId += 1;
        pending.set(nextId, { resolve, reject });
        child.send({ id: nextId, event });
      }),
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
