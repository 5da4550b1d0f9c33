import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LocalStack } from '../local/local-stack.js';

/** Starts `stack-process.ts` as a child process and answers once it prints its endpoints. */
export async function startSeparateStack(dataDir: string): Promise<LocalStack> {
  const script = fileURLToPath(new URL('./stack-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout });
  const endpoints = await new Promise<{ dynamoDbEndpoint: string; s3Endpoint: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the local stack process exited with ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line)));
  });
  return {
    ...endpoints,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
