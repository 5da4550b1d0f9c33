import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError } from '../../microservices/lambda-runtime/artifact-package.js';
import type { FunctionSpec } from '../../microservices/lambda-runtime/function-host.js';
import { LocalFunctionHost } from '../../microservices/lambda-runtime/local-function-host.js';
import { LocalFunctionRegistry } from '../../microservices/lambda-runtime/local-function-registry.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { startChild } from '../support/child-process.js';
import { HANDLERS, putArtifact, zipOf } from '../support/lambda-artifacts.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';

let stack: TestStack;
let codeDir: string;
let host: LocalFunctionHost;

const newHost = (maxConcurrentInvocations?: number) =>
  LocalFunctionHost.create({
    dynamo: stack.dynamo,
    s3: stack.s3,
    codeDir,
    logger: silentLogger,
    ...(maxConcurrentInvocations ? { maxConcurrentInvocations } : {}),
  });

beforeAll(async () => {
  stack = await startTestStack();
  codeDir = mkdtempSync(join(tmpdir(), 'dmp-lambda-code-'));
  host = await newHost();
});

afterAll(async () => {
  await host.close();
  await stack.close();
  removeDir(stack.dataDir);
  removeDir(codeDir);
});

/**
 * A TCP server the function connects to: its connection says the invocation
 * runs, its close that the process is gone. `connections(n)` waits for n.
 */
async function listener() {
  const server = createServer();
  const sockets: Socket[] = [];
  const waiting: (() => void)[] = [];
  server.on('connection', (socket) => {
    sockets.push(socket);
    for (const wake of waiting.splice(0)) wake();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const connections = async (count: number): Promise<Socket[]> => {
    while (sockets.length < count) await new Promise<void>((wake) => waiting.push(wake));
    return sockets.slice(0, count);
  };
  const connected = connections(1).then(([socket]) => socket as Socket);
  return { server, port: (server.address() as { port: number }).port, connected, connections };
}

const closed = async (socket: Socket) => {
  if (!socket.closed) await once(socket, 'close');
};

/** Connects to the test's listener, then never answers: with `spin`, keeps the CPU busy too. */
const CONNECTS_AND_HANGS = `import net from 'node:net';
export const handler = async (event) => {
  await new Promise((resolve) => net.connect(event.port, '127.0.0.1').once('connect', resolve));
  if (event.spin) for (;;) {}
  return new Promise(() => {});
};\n`;

async function specFor(
  name: string,
  key: string,
  content: string | Uint8Array,
  extra: Partial<FunctionSpec> = {},
) {
  return {
    name,
    artifact: await putArtifact(stack.s3, key, content),
    handler: 'index.handler',
    environment: {},
    owner: `test/sales/orders/1.0.0/${name}`,
    ...extra,
  } satisfies FunctionSpec;
}

describe('LocalFunctionHost', () => {
  it('creates a function from a single .mjs file and runs it with its environment only', async () => {
    const spec = await specFor('echo-esm', 'code/echo/index.mjs', HANDLERS.echoEsm, {
      environment: { GREETING: 'hello' },
    });
    const created = await host.create(spec);
    expect(created).toMatchObject({ name: 'echo-esm', owner: spec.owner, handler: 'index.handler' });
    expect(created.arn).toBe('arn:aws:lambda:local:000000000000:function:echo-esm');

    const invocation = await host.invoke('echo-esm', { orderId: 7 });
    // HOME is in the test process's environment but not in the function's.
    expect(invocation).toEqual({
      ok: true,
      payload: { event: { orderId: 7 }, greeting: 'hello', home: null },
    });
  });

  it('creates a function from a .zip with a CommonJS callback-style handler', async () => {
    const spec = await specFor(
      'echo-cjs',
      'code/echo-cjs.zip',
      zipOf({ 'src/main.js': HANDLERS.echoCallbackCjs }),
      {
        handler: 'src/main.handler',
      },
    );
    await host.create(spec);
    expect(await host.invoke('echo-cjs', { a: 1 })).toEqual({
      ok: true,
      payload: { cjs: true, name: 'echo-cjs', event: { a: 1 } },
    });
  });

  it('runs a .js module as CommonJS unless its package says "type": "module", as Lambda does', async () => {
    const esmSyntax = `export const handler = async () => ({ esm: true });\n`;
    await host.create(await specFor('js-untyped', 'code/js-untyped.zip', zipOf({ 'index.js': esmSyntax })));
    await host.create(
      await specFor(
        'js-module',
        'code/js-module.zip',
        zipOf({ 'index.js': esmSyntax, 'package.json': '{ "type": "module" }' }),
      ),
    );
    expect(await host.invoke('js-untyped', {})).toMatchObject({
      ok: false,
      error: {
        type: 'Runtime.ImportModuleError',
        message: expect.stringContaining("Unexpected token 'export'"),
      },
    });
    expect(await host.invoke('js-module', {})).toEqual({ ok: true, payload: { esm: true } });
  });

  it('is idempotent: creating the same function again changes nothing', async () => {
    const spec = await specFor('twice', 'code/twice/index.mjs', HANDLERS.version(1));
    const first = await host.create(spec);
    await putArtifact(stack.s3, 'code/twice/index.mjs', HANDLERS.version(2));
    const second = await host.create(spec);
    expect(second).toEqual(first);
    expect(await host.invoke('twice', {})).toEqual({ ok: true, payload: { version: 1 } });
  });

  it("refuses to change or delete another resource's function", async () => {
    const spec = await specFor('owned', 'code/owned/index.mjs', HANDLERS.version(1));
    await host.create(spec);
    const intruder = { ...spec, owner: 'test/other/dp/1.0.0/thief' };
    await expect(host.create(intruder)).rejects.toBeInstanceOf(ConflictError);
    await expect(host.updateCode(intruder)).rejects.toBeInstanceOf(ConflictError);
    await expect(host.updateConfiguration(intruder)).rejects.toBeInstanceOf(ConflictError);
    await expect(host.delete('owned', intruder.owner)).rejects.toBeInstanceOf(ConflictError);
    expect(await host.invoke('owned', {})).toEqual({ ok: true, payload: { version: 1 } });
  });

  it('maps a throwing handler to a handler error', async () => {
    await host.create(await specFor('throws', 'code/throws/index.mjs', HANDLERS.throws));
    expect(await host.invoke('throws', {})).toEqual({
      ok: false,
      error: { kind: 'handler', type: 'MissingData', message: 'the data is not there' },
    });
  });

  it('terminates an endless handler at its timeout and keeps working', async () => {
    await host.create(
      await specFor('loops', 'code/loops/index.mjs', HANDLERS.loopsForever, { timeoutSeconds: 1 }),
    );
    const invocation = await host.invoke('loops', {});
    expect(invocation).toEqual({
      ok: false,
      error: { kind: 'timeout', type: 'Sandbox.Timedout', message: 'Task timed out after 1.00 seconds' },
    });
    await host.create(await specFor('after-loop', 'code/after-loop/index.mjs', HANDLERS.version(9)));
    expect(await host.invoke('after-loop', {})).toEqual({ ok: true, payload: { version: 9 } });
  });

  it('kills the process of a timed-out invocation, even one that keeps its CPU busy', async () => {
    await host.create(
      await specFor('hangs', 'code/hangs/index.mjs', CONNECTS_AND_HANGS, { timeoutSeconds: 2 }),
    );
    const { server, port, connected } = await listener();
    const invocation = host.invoke('hangs', { port, spin: true });
    const socket = await connected;
    expect(await invocation).toMatchObject({ ok: false, error: { type: 'Sandbox.Timedout' } });
    await closed(socket);
    server.close();
  });

  it('ends running invocations with Runtime.Shutdown on close, and their processes with them', async () => {
    const closing = await newHost();
    await host.create(
      await specFor('waits', 'code/waits/index.mjs', CONNECTS_AND_HANGS, { timeoutSeconds: 60 }),
    );
    const { server, port, connected } = await listener();
    const invocation = closing.invoke('waits', { port });
    const socket = await connected;
    await closing.close();
    expect(await invocation).toEqual({
      ok: false,
      error: { kind: 'runtime', type: 'Runtime.Shutdown', message: 'the local runtime is shutting down' },
    });
    await closed(socket);
    server.close();
  });

  it('leaves no invocation process behind when the platform dies mid-invocation, busy or idle', async () => {
    await host.create(
      await specFor('orphan', 'code/orphan/index.mjs', CONNECTS_AND_HANGS, { timeoutSeconds: 1 }),
    );
    const { server, port, connections } = await listener();
    const platform = await startChild(
      'test/support/invoking-host-main.ts',
      {
        DMP_DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
        DMP_S3_ENDPOINT: stack.s3Endpoint,
        DMP_LAMBDA_CODE_DIR: codeDir,
        DMP_TEST_FUNCTION: 'orphan',
        DMP_TEST_EVENTS: JSON.stringify([
          { port, spin: true },
          { port, spin: false },
        ]),
      },
      /invoking/,
    );
    const sockets = await connections(2);
    await platform.kill('SIGKILL');
    // The busy one by the kernel's CPU limit (7 s of CPU for a 1 s timeout), the idle one by its own timer.
    await Promise.all(sockets.map(closed));
    server.close();
  }, 120_000);

  it('reports a function that exits the process as a runtime error, without ending the host', async () => {
    await host.create(await specFor('exits', 'code/exits/index.mjs', HANDLERS.exits));
    const invocation = await host.invoke('exits', {});
    expect(invocation).toMatchObject({ ok: false, error: { kind: 'runtime', type: 'Runtime.ExitError' } });
    expect(await host.invoke('echo-esm', {})).toMatchObject({ ok: true });
  });

  it('reports a handler that exhausts its memory as a runtime error', async () => {
    const hog = `export const handler = async () => { const kept = []; for (;;) kept.push(new Array(1e6).fill(kept.length)); };\n`;
    await host.create(await specFor('hog', 'code/hog/index.mjs', hog, { memoryMb: 32, timeoutSeconds: 20 }));
    expect(await host.invoke('hog', {})).toMatchObject({
      ok: false,
      error: { kind: 'runtime', type: 'Runtime.OutOfMemory' },
    });
  });

  it('runs the new code after updateCode, and removes the old code folder', async () => {
    const spec = await specFor('updated', 'code/updated-v1/index.mjs', HANDLERS.version(1));
    await host.create(spec);
    const before = readdirSync(join(codeDir, 'updated'));
    const next = {
      ...spec,
      artifact: await putArtifact(
        stack.s3,
        'code/updated-v2.zip',
        zipOf({ 'index.mjs': HANDLERS.version(2) }),
      ),
    };
    await host.updateCode(next);
    expect(await host.invoke('updated', {})).toEqual({ ok: true, payload: { version: 2 } });
    const after = readdirSync(join(codeDir, 'updated'));
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
  });

  it('applies a new configuration (environment, handler) while keeping the code', async () => {
    const code = zipOf({
      'index.mjs': `export const handler = async () => ({ from: 'index', greeting: process.env.GREETING });\n`,
      'other.mjs': `export const main = async () => ({ from: 'other', greeting: process.env.GREETING });\n`,
    });
    const spec = await specFor('configured', 'code/configured.zip', code, { environment: { GREETING: 'a' } });
    await host.create(spec);
    const updated = await host.updateConfiguration({
      ...spec,
      handler: 'other.main',
      environment: { GREETING: 'b' },
    });
    expect(updated).toMatchObject({ handler: 'other.main', environment: { GREETING: 'b' } });
    expect(await host.invoke('configured', {})).toEqual({
      ok: true,
      payload: { from: 'other', greeting: 'b' },
    });
    await expect(host.updateConfiguration({ ...spec, handler: 'missing.handler' })).rejects.toBeInstanceOf(
      ArtifactError,
    );
  });

  it('refuses an artifact without the handler module, and an invalid name, before recording anything', async () => {
    const spec = await specFor('no-module', 'code/no-module.zip', zipOf({ 'lib/util.js': 'exports.x = 1;' }));
    await expect(host.create(spec)).rejects.toThrow(/has no index\.js, \.mjs or \.cjs/);
    expect(await host.describe('no-module')).toBeUndefined();
    await expect(host.create({ ...spec, name: '../escape' })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      host.create({ ...spec, artifact: { bucket: 'dmp-datamesh-s3', key: 'code/absent/index.mjs' } }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('deletes a function and its code; deleting again answers false', async () => {
    await host.create(await specFor('doomed', 'code/doomed/index.mjs', HANDLERS.version(1)));
    expect(await host.delete('doomed', 'test/sales/orders/1.0.0/doomed')).toBe(true);
    expect(await host.describe('doomed')).toBeUndefined();
    expect(existsSync(join(codeDir, 'doomed'))).toBe(false);
    expect(await host.delete('doomed')).toBe(false);
    await expect(host.invoke('doomed', {})).rejects.toBeInstanceOf(NotFoundError);
  });

  it('records and removes invoke permissions; a missing function cannot be granted', async () => {
    await host.create(await specFor('granted', 'code/granted/index.mjs', HANDLERS.version(1)));
    const grant = { statementId: 'sid-1', principal: 'apigateway.amazonaws.com', sourceArn: 'arn:x' };
    await host.allowInvoke('granted', grant);
    await host.allowInvoke('granted', grant);
    const registry = new LocalFunctionRegistry(stack.dynamo);
    expect((await registry.get('granted'))?.permissions).toEqual({
      'sid-1': { principal: 'apigateway.amazonaws.com', sourceArn: 'arn:x' },
    });
    await host.revokeInvoke('granted', 'sid-1');
    expect((await registry.get('granted'))?.permissions).toEqual({});
    await host.revokeInvoke('granted', 'sid-1');
    await host.revokeInvoke('absent-function', 'sid-1');
    await expect(host.allowInvoke('absent-function', grant)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses invocations beyond its concurrency limit', async () => {
    const limited = await newHost(1);
    await host.create(
      await specFor(
        'slow',
        'code/slow/index.mjs',
        `export const handler = () => new Promise((r) => setTimeout(() => r('done'), 500));\n`,
      ),
    );
    const outcomes = await Promise.all([limited.invoke('slow', {}), limited.invoke('slow', {})]);
    expect(outcomes).toContainEqual({ ok: true, payload: 'done' });
    expect(outcomes).toContainEqual(
      expect.objectContaining({
        ok: false,
        error: expect.objectContaining({ type: 'TooManyRequestsException' }),
      }),
    );
    await limited.close();
  });

  it('still invokes after a restart, and unpacks the code again when the folder is gone', async () => {
    const spec = await specFor('survivor', 'code/survivor/index.mjs', HANDLERS.version(5));
    await host.create(spec);
    const restarted = await newHost();
    expect(await restarted.invoke('survivor', {})).toEqual({ ok: true, payload: { version: 5 } });
    removeDir(join(codeDir, 'survivor'));
    expect(await restarted.invoke('survivor', {})).toEqual({ ok: true, payload: { version: 5 } });
    await restarted.close();
  });
});
