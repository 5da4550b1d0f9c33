import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDir } from '../support/local-stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BANNER = 'dmp is running on its local stack';
const BANNER_END = 'examples/data-products/orders.yaml';
const SERVICES = ['state-service', 's3', 'event-store', 'observability', 'workload', 'provisioner'];

let child: ChildProcess | undefined;
const dataDirs: string[] = [];

afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
  for (const dir of dataDirs.splice(0)) removeDir(dir);
});

/** `npm start` (local/start-platform.ts) on free ports; resolves with its stdout once the banner is complete. */
function startPlatformProcess(logFormat: 'pretty' | 'json'): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dmp-npm-start-'));
  dataDirs.push(dataDir);
  const ports = [
    'DMP_DYNAMODB_PORT',
    'DMP_S3_PORT',
    'DMP_PROVISIONER_PORT',
    'DMP_STATE_SERVICE_PORT',
    'DMP_S3_SERVICE_PORT',
    'DMP_EVENT_STORE_PORT',
    'DMP_OBSERVABILITY_PORT',
    'DMP_WORKLOAD_PORT',
    'DMP_LAMBDA_SERVER_PORT',
  ];
  const started = spawn(process.execPath, ['--import', 'tsx', join(root, 'local/start-platform.ts')], {
    cwd: root,
    env: {
      ...process.env,
      ...Object.fromEntries(ports.map((name) => [name, '0'])),
      DMP_DATA_DIR: dataDir,
      DMP_LOG_LEVEL: 'info',
      DMP_LOG_FORMAT: logFormat,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = started;
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    started.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
      if (stdout.includes(BANNER_END)) resolve(stdout.split('\n'));
    });
    started.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    started.once('exit', (code) => reject(new Error(`npm start exited ${code}:\n${stdout}\n${stderr}`)));
  });
}

// Each case starts the whole platform in a child process: give it time on a loaded machine.
describe('npm start', { timeout: 120_000 }, () => {
  it('on a terminal (pretty): readable log lines, then the endpoint banner once, after every startup log', async () => {
    const lines = await startPlatformProcess('pretty');
    const banner = lines.indexOf(BANNER);
    expect(lines.filter((line) => line === BANNER)).toHaveLength(1);
    const logs = lines.slice(0, banner).filter((line) => line.trim() !== '');
    for (const line of logs)
      expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR) \([a-z0-9-]+\): /);
    for (const service of SERVICES) {
      expect(
        logs.some((line) => line.includes(`(${service}): `) && line.includes('listening  url=http')),
      ).toBe(true);
    }
    expect(lines.slice(banner).some((line) => line.includes('listening'))).toBe(false);
  });

  it('with DMP_LOG_FORMAT=json: JSON lines for machines, then the banner once, after every startup log', async () => {
    const lines = await startPlatformProcess('json');
    const banner = lines.indexOf(BANNER);
    expect(lines.filter((line) => line === BANNER)).toHaveLength(1);
    const logs = lines
      .slice(0, banner)
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { name: string; msg: string });
    expect(logs.filter((entry) => entry.msg.endsWith('listening')).map((entry) => entry.name)).toEqual(
      SERVICES,
    );
    expect(lines.slice(banner).some((line) => line.includes('listening'))).toBe(false);
  });
});
