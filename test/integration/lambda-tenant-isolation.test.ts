import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLambdaRuntime,
  type LambdaRuntime,
  type LocalLambdaRuntimeConfig,
} from '../../microservices/lambda-runtime/lambda-runtime-config.js';
import { startLocalLambdaServer } from '../../microservices/lambda-runtime/local-lambda-server.js';
import type { RunningServer } from '../../shared/http/serve.js';
import { freePort } from '../support/free-port.js';
import { putArtifact, zipOf } from '../support/lambda-artifacts.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';

/**
 * A `finance` deployer's artifact, run by the local runtime of `npm start`
 * beside a `sales` function, tries every escape the security review found.
 * Each probe answers "blocked: <code>" or "SUCCEEDED: <what it got>".
 */
const HOSTILE = `
import fs from 'node:fs';
import os from 'node:os';
import childProcess from 'node:child_process';
import { Worker } from 'node:worker_threads';

const attempt = (probe) => {
  try {
    return 'SUCCEEDED: ' + String(probe()).slice(0, 200);
  } catch (error) {
    return 'blocked: ' + (error.code ?? error.name);
  }
};

export const handler = async (event) => {
  switch (event.action) {
    case 'probe':
      return {
        readTokens: attempt(() => fs.readFileSync(event.tokensFile, 'utf8')),
        readHostname: attempt(() => fs.readFileSync('/etc/hostname', 'utf8')),
        readOwnEnviron: attempt(() => fs.readFileSync('/proc/self/environ', 'utf8')),
        readPlatformEnviron: attempt(() => fs.readFileSync('/proc/' + event.platformPid + '/environ', 'utf8')),
        execId: attempt(() => childProcess.execSync('id', { encoding: 'utf8' })),
        startWorker: attempt(() => new Worker('1', { eval: true })),
        writeOutside: attempt(() => fs.writeFileSync(event.outsideFile, 'pwned')),
        writeInside: attempt(() => fs.writeFileSync(new URL('./pwned.txt', import.meta.url), 'pwned')),
        readOtherFunction: attempt(() => fs.readFileSync(event.victimFile, 'utf8')),
        listCodeRoot: attempt(() => fs.readdirSync(event.codeRoot).join()),
        overwriteOtherFunction: attempt(() =>
          fs.writeFileSync(event.victimFile, 'export const handler = async () => ({ owner: "finance" });\\n'),
        ),
        rawBinding: attempt(() => Object.keys(process.binding('fs')).length),
        // A descriptor the platform left open (dynalite's database files, say) reads and writes whatever
        // the permission model says: none may be there.
        inheritedFiles: attempt(() => {
          const files = [];
          for (let fd = 4; fd < 4096; fd += 1) {
            try {
              const stats = fs.fstatSync(fd);
              if (stats.isFile() || stats.isDirectory()) files.push(fd + ' (' + stats.size + ' bytes)');
            } catch {}
          }
          if (files.length === 0) throw Object.assign(new Error('none open'), { code: 'NONE' });
          return files.join(', ');
        }),
        debugPlatform: attempt(() => process._debugProcess(event.platformPid)),
        renicePlatform: attempt(() => os.setPriority(event.platformPid, 19)),
      };
    case 'who':
      return { uid: process.getuid(), gid: process.getgid(), environment: { ...process.env } };
    case 'kill-parent':
      return { killParent: attempt(() => process.kill(process.ppid, 'SIGKILL')) };
    case 'kill-platform':
      return { killPlatform: attempt(() => process.kill(event.platformPid, 'SIGKILL')) };
    case 'kill-group':
      return { killGroup: attempt(() => process.kill(0, 'SIGKILL')) };
    case 'kill-self':
      process.kill(process.pid, 'SIGKILL');
      return 'still running';
    case 'exit':
      process.exit(1);
      return 'still running';
    case 'abort':
      process.abort();
      return 'still running';
    case 'throw-later':
      setTimeout(() => { throw new Error('thrown after the handler returned'); }, 0);
      return new Promise(() => {});
  }
  return 'unknown action';
};
`;

const VICTIM = `export const handler = async () => ({ owner: 'sales' });\n`;
const TOKENS = '{ "admin": "dmp_admin_secret_of_the_platform" }\n';

let stack: TestStack;
let codeDir: string;
let tokensFile: string;
let runtime: LambdaRuntime;
/** The same runtime with invocations under the platform's own user: the wall when dmp does not run as root. */
let sameUserRuntime: LambdaRuntime;
let server: RunningServer;
let victimFile: string;

async function deploy(target: LambdaRuntime, name: string, domain: string, code: string, environment = {}) {
  await target.functions.create({
    name,
    artifact: await putArtifact(stack.s3, `${domain}/${name}.zip`, zipOf({ 'index.mjs': code })),
    handler: 'index.handler',
    environment,
    owner: `test/${domain}/${name}/1.0.0/function`,
    timeoutSeconds: 20,
  });
}

/** Invokes through the local Lambda server's invoke API, as a caller of the platform would. */
async function invoke(name: string, event: unknown): Promise<{ error?: string; body: unknown }> {
  const response = await fetch(`${server.url}/2015-03-31/functions/${name}/invocations`, {
    method: 'POST',
    body: JSON.stringify(event),
  });
  expect(response.status).toBe(200);
  return { error: response.headers.get('x-amz-function-error') ?? undefined, body: await response.json() };
}

const baseEvent = () => ({
  tokensFile,
  victimFile,
  codeRoot: codeDir,
  outsideFile: join(stack.dataDir, 'pwned-by-finance'),
  platformPid: process.pid,
});

function runtimeConfig(port: number, runAs?: { uid: number; gid: number }): LocalLambdaRuntimeConfig {
  return {
    mode: 'local',
    stage: 'v1',
    lambdaUrl: `http://127.0.0.1:${port}`,
    codeDir,
    serverPort: port,
    functionTable: 'dmp-local-lambda-functions',
    routeTable: 'dmp-local-api-routes',
    maxConcurrentInvocations: 8,
    ...(runAs ? { runAs } : {}),
  };
}

beforeAll(async () => {
  stack = await startTestStack();
  // Where the platform keeps them: the data folder holds tokens.json (0600) and the code root.
  tokensFile = join(stack.dataDir, 'tokens.json');
  writeFileSync(tokensFile, TOKENS, { mode: 0o600 });
  codeDir = join(stack.dataDir, 'lambda');
  const endpoints = { dynamoDbEndpoint: stack.dynamoDbEndpoint, s3Endpoint: stack.s3Endpoint };
  const port = await freePort();
  runtime = await createLambdaRuntime(runtimeConfig(port), endpoints, silentLogger);
  sameUserRuntime = await createLambdaRuntime(
    runtimeConfig(port, { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }),
    endpoints,
    silentLogger,
  );
  server = await startLocalLambdaServer({
    host: '127.0.0.1',
    port,
    functions: runtime.functions,
    // biome-ignore lint/style/noNonNullAssertion: the local runtime has a route table
    routes: runtime.routes!,
    logger: silentLogger,
  });
  await deploy(runtime, 'sales-orders', 'sales', VICTIM);
  await deploy(runtime, 'finance-probe', 'finance', HOSTILE, {
    // Would widen the permissions if Node read it at start-up; the function sees it, Node does not.
    NODE_OPTIONS: '--allow-fs-read=* --allow-fs-write=* --allow-child-process --allow-worker',
    TENANT_SETTING: 'finance',
  });
  expect(await invoke('sales-orders', {})).toEqual({ body: { owner: 'sales' } });
  const salesFolder = join(codeDir, 'sales-orders');
  victimFile = join(salesFolder, readdirSync(salesFolder)[0] as string, 'index.mjs');
});

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  await sameUserRuntime?.close();
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
});

describe('a hostile tenant artifact on the local runtime', () => {
  it('can read, write, spawn and signal nothing outside its own code folder', async () => {
    const { error, body } = await invoke('finance-probe', { ...baseEvent(), action: 'probe' });
    expect(error).toBeUndefined();
    const succeeded = Object.entries(body as Record<string, string>).filter(([, outcome]) =>
      outcome.startsWith('SUCCEEDED'),
    );
    expect(succeeded).toEqual([]);
    expect(Object.keys(body as object)).toHaveLength(15);

    expect(readFileSync(tokensFile, 'utf8')).toBe(TOKENS);
    expect(readFileSync(victimFile, 'utf8')).toBe(VICTIM);
    expect(existsSync(join(stack.dataDir, 'pwned-by-finance'))).toBe(false);
    const probeFolder = join(codeDir, 'finance-probe');
    expect(readdirSync(join(probeFolder, readdirSync(probeFolder)[0] as string))).not.toContain('pwned.txt');
    expect(await invoke('sales-orders', {})).toEqual({ body: { owner: 'sales' } });
  });

  it("runs as an unprivileged user when the platform is root, with the function's environment only", async () => {
    const { body } = await invoke('finance-probe', { action: 'who' });
    const root = process.getuid?.() === 0;
    expect(body).toEqual({
      uid: root ? 65534 : process.getuid?.(),
      gid: root ? 65534 : process.getgid?.(),
      environment: {
        NODE_OPTIONS: '--allow-fs-read=* --allow-fs-write=* --allow-child-process --allow-worker',
        TENANT_SETTING: 'finance',
        AWS_LAMBDA_FUNCTION_NAME: 'finance-probe',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_REGION: 'local',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
        TZ: 'UTC',
      },
    });
  });

  it('cannot kill the platform, its parent or its process group, and the platform keeps answering', async () => {
    for (const action of ['kill-parent', 'kill-platform', 'kill-group']) {
      const { error, body } = await invoke('finance-probe', { ...baseEvent(), action });
      expect(error).toBeUndefined();
      expect(Object.values(body as object)).toEqual([expect.stringMatching(/^blocked: EPERM$/)]);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await invoke('sales-orders', {})).toEqual({ body: { owner: 'sales' } });
  });

  it('ends only its own invocation, with a function error, when it kills itself, exits, aborts or throws late', async () => {
    const outcomes = [];
    for (const action of ['kill-self', 'exit', 'abort', 'throw-later']) {
      outcomes.push(await invoke('finance-probe', { action }));
    }
    expect(outcomes).toEqual([
      {
        error: 'Unhandled',
        body: { errorType: 'Runtime.ExitError', errorMessage: expect.stringContaining('SIGKILL') },
      },
      {
        error: 'Unhandled',
        body: { errorType: 'Runtime.ExitError', errorMessage: expect.stringContaining('code 1') },
      },
      {
        error: 'Unhandled',
        body: { errorType: 'Runtime.ExitError', errorMessage: expect.stringContaining('SIGABRT') },
      },
      {
        error: 'Unhandled',
        body: {
          errorType: 'Runtime.UnhandledError',
          errorMessage: 'Error: thrown after the handler returned',
        },
      },
    ]);
    expect(await invoke('sales-orders', {})).toEqual({ body: { owner: 'sales' } });
  });
});

describe('a hostile tenant artifact under the platform’s own user (dmp not running as root)', () => {
  it('still cannot read, write, spawn, or signal the platform', async () => {
    await deploy(sameUserRuntime, 'finance-same-user', 'finance', HOSTILE);
    const run = (action: string) =>
      sameUserRuntime.functions.invoke('finance-same-user', { ...baseEvent(), action });
    const probes = await run('probe');
    expect(probes.ok).toBe(true);
    const report = (probes as { payload: Record<string, string> }).payload;
    expect(Object.entries(report).filter(([, outcome]) => outcome.startsWith('SUCCEEDED'))).toEqual([]);
    for (const action of ['kill-parent', 'kill-platform', 'kill-group']) {
      expect(await run(action)).toEqual({
        ok: true,
        payload: { [`kill${action.slice(5, 6).toUpperCase()}${action.slice(6)}`]: 'blocked: EPERM' },
      });
    }
    expect(await run('who')).toMatchObject({ ok: true, payload: { uid: process.getuid?.() } });
    expect(await run('kill-self')).toMatchObject({ ok: false, error: { type: 'Runtime.ExitError' } });
    expect(await invoke('sales-orders', {})).toEqual({ body: { owner: 'sales' } });
  });
});

describe('the file system, a second wall behind the permission model', () => {
  /** What the invocation user could do if the permission model were bypassed: the second wall. */
  const WITHOUT_PERMISSION_MODEL = `
    const fs = require('node:fs');
    const [tokensFile, dataDir, codeRoot, victimFile] = process.argv.slice(1);
    const attempt = (probe) => { try { probe(); return 'SUCCEEDED'; } catch (error) { return 'blocked: ' + error.code; } };
    console.log(JSON.stringify({
      readTokens: attempt(() => fs.readFileSync(tokensFile)),
      listTables: attempt(() => fs.readdirSync(dataDir + '/dynamodb')),
      listObjects: attempt(() => fs.readdirSync(dataDir + '/s3')),
      listCodeRoot: attempt(() => fs.readdirSync(codeRoot)),
      writeDataFolder: attempt(() => fs.writeFileSync(dataDir + '/pwned', 'x')),
      overwriteOtherFunction: attempt(() => fs.writeFileSync(victimFile, 'x')),
      addToOtherFunction: attempt(() => fs.writeFileSync(victimFile + '.extra.mjs', 'x')),
    }));`;

  it('keeps the data and every code folder out of the invocation user’s reach by their modes as well', () => {
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(stack.dataDir)).toBe(0o711);
    expect(mode(join(stack.dataDir, 'dynamodb'))).toBe(0o700);
    expect(mode(join(stack.dataDir, 's3'))).toBe(0o700);
    expect(mode(tokensFile)).toBe(0o600);
    expect(mode(codeDir)).toBe(0o711);
    expect(mode(join(codeDir, 'sales-orders'))).toBe(0o711);
    expect(mode(join(victimFile, '..'))).toBe(0o755);
    expect(mode(victimFile)).toBe(0o644);
    if (process.getuid?.() !== 0) return;
    // As root, the invocation user really is another user: try it without the permission model.
    const run = spawnSync(
      process.execPath,
      ['-e', WITHOUT_PERMISSION_MODEL, tokensFile, stack.dataDir, codeDir, victimFile],
      { uid: 65534, gid: 65534, env: {}, cwd: '/', encoding: 'utf8' },
    );
    expect(JSON.parse(run.stdout)).toEqual({
      readTokens: 'blocked: EACCES',
      listTables: 'blocked: EACCES',
      listObjects: 'blocked: EACCES',
      listCodeRoot: 'blocked: EACCES',
      writeDataFolder: 'blocked: EACCES',
      overwriteOtherFunction: 'blocked: EACCES',
      addToOtherFunction: 'blocked: EACCES',
    });
  });
});

describe('errors of a tenant function', () => {
  const MISSING_IMPORT = `import { x } from './lib/missing.mjs';\nexport const handler = async () => x;\n`;
  const THROWS_ITS_URL = `export const handler = async () => { throw new Error('failed at ' + import.meta.url + ' and ' + new URL('../..', import.meta.url).pathname); };\n`;

  it('name no path of the platform’s file system, only paths relative to the function’s code', async () => {
    await deploy(runtime, 'finance-missing', 'finance', MISSING_IMPORT);
    await deploy(runtime, 'finance-url', 'finance', THROWS_ITS_URL);
    await runtime.functions.create({
      name: 'finance-no-export',
      artifact: await putArtifact(
        stack.s3,
        'finance/no-export.zip',
        zipOf({ 'src/main.mjs': 'export const other = 1;\n' }),
      ),
      handler: 'src/main.handler',
      environment: {},
      owner: 'test/finance/no-export/1.0.0/function',
    });
    const answers = [
      await invoke('finance-missing', {}),
      await invoke('finance-url', {}),
      await invoke('finance-no-export', {}),
    ];
    for (const answer of answers) {
      expect(JSON.stringify(answer)).not.toContain(stack.dataDir);
      expect(JSON.stringify(answer)).not.toContain('file://');
    }
    expect(answers).toEqual([
      {
        error: 'Unhandled',
        body: {
          errorType: 'Runtime.ImportModuleError',
          errorMessage: expect.stringMatching(
            /^Cannot find module 'lib\/missing\.mjs' imported from index\.mjs/,
          ),
        },
      },
      {
        error: 'Unhandled',
        body: { errorType: 'Error', errorMessage: expect.stringMatching(/^failed at index\.mjs and [./]+$/) },
      },
      {
        error: 'Unhandled',
        body: {
          errorType: 'Runtime.HandlerNotFound',
          errorMessage: 'handler is not a function exported by src/main.mjs',
        },
      },
    ]);
  });

  it('and of its deployment name no path of the platform either', async () => {
    // A file where the function's folder goes: unpacking fails with the file system's own message.
    writeFileSync(join(codeDir, 'finance-blocked'), '');
    const failure = deploy(runtime, 'finance-blocked', 'finance', VICTIM);
    await expect(failure).rejects.toThrow(/^the local code folder could not be changed: .*'finance-blocked'/);
    await expect(failure).rejects.not.toThrow(stack.dataDir);
  });
});
