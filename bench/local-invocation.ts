/**
 * How long one invocation of the local Lambda runtime takes, cold (every
 * invocation starts its own sandbox): a tiny handler invoked one after another
 * in this process, on a fresh dynalite + s3rver. Run with
 * `npx tsx bench/local-invocation.ts [invocations]` (default 40); on a shared
 * machine, with `nice -n -15` for numbers that mean something.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFunctionHost } from '../microservices/lambda-runtime/local-function-host.js';
import { putArtifact } from '../test/support/lambda-artifacts.js';
import { removeDir, startTestStack } from '../test/support/local-stack.js';
import { silentLogger } from '../test/support/silent-logger.js';
import { round } from './stats.js';

const invocations = Number(process.argv[2] ?? 40);
const stack = await startTestStack();
const codeDir = mkdtempSync(join(tmpdir(), 'dmp-bench-code-'));
try {
  const host = await LocalFunctionHost.create({
    dynamo: stack.dynamo,
    s3: stack.s3,
    codeDir,
    logger: silentLogger,
  });
  await host.create({
    name: 'bench-echo',
    artifact: await putArtifact(
      stack.s3,
      'bench/echo/index.mjs',
      'export const handler = async (event) => ({ event });\n',
    ),
    handler: 'index.handler',
    environment: {},
    owner: 'bench/bench/bench/1.0.0/echo',
  });
  // The first invocation unpacks the code; it is not counted.
  await host.invoke('bench-echo', { warm: true });
  const durations: number[] = [];
  for (let index = 0; index < invocations; index += 1) {
    const started = performance.now();
    const invocation = await host.invoke('bench-echo', { index });
    durations.push(performance.now() - started);
    if (!invocation.ok) throw new Error(`invocation failed: ${JSON.stringify(invocation)}`);
  }
  durations.sort((a, b) => a - b);
  const mean = durations.reduce((total, value) => total + value, 0) / durations.length;
  process.stdout.write(
    `${invocations} invocations: mean ${round(mean, 1)} ms, median ${round(durations[Math.floor(durations.length / 2)] ?? 0, 1)} ms, p90 ${round(durations[Math.floor(durations.length * 0.9)] ?? 0, 1)} ms\n`,
  );
  await host.close();
} finally {
  await stack.close();
  removeDir(stack.dataDir);
  removeDir(codeDir);
}
