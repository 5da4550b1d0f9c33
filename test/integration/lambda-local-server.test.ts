import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLambdaRuntime,
  type LambdaRuntime,
  type LocalLambdaRuntimeConfig,
} from '../../microservices/lambda-runtime/lambda-runtime-config.js';
import { startLocalLambdaServer } from '../../microservices/lambda-runtime/local-lambda-server.js';
import { localRestApiId } from '../../microservices/lambda-runtime/local-rest-api-gateway.js';
import type { LocalRouteTable } from '../../microservices/lambda-runtime/local-route-table.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { TokenVerifier } from '../../shared/auth/token-service.js';
import { UnauthorizedError } from '../../shared/errors.js';
import type { RunningServer } from '../../shared/http/serve.js';
import { freePort } from '../support/free-port.js';
import { HANDLERS, putArtifact } from '../support/lambda-artifacts.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';

let stack: TestStack;
let codeDir: string;
let runtime: LambdaRuntime;
let server: RunningServer;

const OWNER = 'test/sales/orders/1.0.0';

async function deploy(name: string, code: string, timeoutSeconds?: number) {
  const artifact = await putArtifact(stack.s3, `server/${name}/index.mjs`, code);
  return runtime.functions.create({
    name,
    artifact,
    handler: 'index.handler',
    environment: {},
    owner: `${OWNER}/${name}`,
    ...(timeoutSeconds ? { timeoutSeconds } : {}),
  });
}

async function publish(name: string, pathParts: string[]) {
  const created = await deploy(name, HANDLERS.proxy);
  return runtime.gateway.publish({
    restApi: 'orders-api',
    pathParts,
    functionName: name,
    functionArn: created.arn,
  });
}

beforeAll(async () => {
  stack = await startTestStack();
  codeDir = mkdtempSync(join(tmpdir(), 'dmp-lambda-server-'));
  const port = await freePort();
  const config: LocalLambdaRuntimeConfig = {
    mode: 'local',
    stage: 'v1',
    lambdaUrl: `http://127.0.0.1:${port}`,
    codeDir,
    serverPort: port,
    functionTable: 'dmp-local-lambda-functions',
    routeTable: 'dmp-local-api-routes',
    maxConcurrentInvocations: 8,
  };
  runtime = await createLambdaRuntime(
    config,
    { dynamoDbEndpoint: stack.dynamoDbEndpoint, s3Endpoint: stack.s3Endpoint },
    silentLogger,
  );
  server = await startLocalLambdaServer({
    host: '127.0.0.1',
    port,
    functions: runtime.functions,
    routes: localRoutes(runtime),
    logger: silentLogger,
    routeCacheMs: 0,
  });
});

afterAll(async () => {
  await server.close();
  await runtime.close();
  await stack.close();
  removeDir(stack.dataDir);
  removeDir(codeDir);
});

describe('local Lambda server: published routes', () => {
  it('answers GET on a published route with the function’s proxy response', async () => {
    const published = await publish('orders-status', ['orders', 'status']);
    expect(published.url).toBe(`${server.url}/${localRestApiId('orders-api')}/v1/orders/status`);

    const response = await fetch(`${published.url}?region=eu&region=us&x=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-handled-by')).toBe('proxy');
    expect(await response.json()).toEqual({
      path: '/orders/status',
      resource: '/orders/status',
      proxy: null,
      query: { region: 'us', x: '1' },
      stage: 'v1',
    });
  });

  it('routes the paths below a route to its function as {proxy+}', async () => {
    const published = await publish('orders-metrics', ['orders', 'metrics']);
    const response = await fetch(`${published.url}/dq/completeness`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      path: '/orders/metrics/dq/completeness',
      resource: '/orders/metrics/{proxy+}',
      proxy: 'dq/completeness',
    });
    // Percent-encoding is decoded once, as API Gateway does: "%25" is a "%", "%252F" the text "%2F".
    const encoded = await fetch(`${published.url}/100%25/a%252Fb`);
    expect(encoded.status).toBe(200);
    expect(await encoded.json()).toMatchObject({ proxy: '100%/a%2Fb' });
  });

  it('answers 404 for an unknown route, and for a route once unpublished', async () => {
    const unknown = await fetch(`${server.url}/${localRestApiId('orders-api')}/v1/nothing/here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'NotFound' });

    const published = await publish('orders-gone', ['orders', 'gone']);
    expect((await fetch(published.url)).status).toBe(200);
    await runtime.gateway.unpublish({
      restApi: 'orders-api',
      pathParts: ['orders', 'gone'],
      functionName: 'orders-gone',
    });
    expect((await fetch(published.url)).status).toBe(404);
  });

  it('answers 400, not 500, to a path whose percent-encoding is malformed', async () => {
    const response = await fetch(`${server.url}/%E0%A4%A/v1/orders`);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'ValidationError',
      errors: [{ path: '/path', message: 'malformed percent-encoding' }],
    });
  });

  it('answers 404, not 502, for a route whose function was deleted while the route is still cached', async () => {
    const published = await publish('orders-deleted', ['orders', 'deleted']);
    expect((await fetch(published.url)).status).toBe(200);
    await runtime.functions.delete('orders-deleted');

    const response = await fetch(published.url);

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'NotFound' });
  });

  it('answers 502 when the function throws or answers something that is not a proxy response', async () => {
    for (const [name, code] of [
      ['route-throws', HANDLERS.throws],
      ['route-garbage', HANDLERS.garbage],
    ] as const) {
      const created = await deploy(name, code);
      const { url } = await runtime.gateway.publish({
        restApi: 'orders-api',
        pathParts: [name],
        functionName: name,
        functionArn: created.arn,
      });
      const response = await fetch(url);
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ error: 'BadGateway' });
    }
  });

  it('answers 504 when the function times out', async () => {
    const created = await deploy('route-loops', HANDLERS.loopsForever, 1);
    const { url } = await runtime.gateway.publish({
      restApi: 'orders-api',
      pathParts: ['loops'],
      functionName: 'route-loops',
      functionArn: created.arn,
    });
    const response = await fetch(url);
    expect(response.status).toBe(504);
  });

  it('answers GET /healthz', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
  });
});

describe('local Lambda server: invoke endpoint', () => {
  it('invokes a function with the body as event and answers its payload', async () => {
    await deploy('invoke-echo', HANDLERS.echoEsm);
    const response = await fetch(`${server.url}/2015-03-31/functions/invoke-echo/invocations`, {
      method: 'POST',
      body: JSON.stringify({ orderId: 42 }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amz-function-error')).toBeNull();
    expect(await response.json()).toEqual({ event: { orderId: 42 }, greeting: null, home: null });
  });

  it('reports a failing function with X-Amz-Function-Error and Lambda’s error payload', async () => {
    await deploy('invoke-throws', HANDLERS.throws);
    const response = await fetch(`${server.url}/2015-03-31/functions/invoke-throws/invocations`, {
      method: 'POST',
      body: '{}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await response.json()).toEqual({
      errorType: 'MissingData',
      errorMessage: 'the data is not there',
    });
  });

  it('answers 404 for an unknown function and 400 for an event that is not JSON', async () => {
    const unknown = await fetch(`${server.url}/2015-03-31/functions/nobody/invocations`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    await deploy('invoke-json', HANDLERS.echoEsm);
    const bad = await fetch(`${server.url}/2015-03-31/functions/invoke-json/invocations`, {
      method: 'POST',
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'ValidationError', errors: [{ path: '' }] });
    // An event the worker could not even be handed (its copy would overflow the stack) is the caller's error.
    const deep = await fetch(`${server.url}/2015-03-31/functions/invoke-json/invocations`, {
      method: 'POST',
      body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    });
    expect(deep.status).toBe(400);
    expect(await deep.json()).toMatchObject({ message: 'The body nests too deeply' });
  });

  it('is usable by the AWS SDK’s LambdaClient pointed at it', async () => {
    await deploy('sdk-echo', HANDLERS.echoEsm);
    const lambda = new LambdaClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: 'sdk-echo', Payload: new TextEncoder().encode('{"via":"sdk"}') }),
    );
    expect(answer.FunctionError).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(answer.Payload))).toMatchObject({ event: { via: 'sdk' } });
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'sdk-nobody' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    lambda.destroy();
  });

  it('with a verifier, requires a deployer or admin token of the function’s domain', async () => {
    await deploy('guarded', HANDLERS.version(1));
    const principals: Record<string, Principal> = {
      'sales-deployer': { id: '1', name: 'd', role: 'deployer', domains: ['sales'] },
      'other-deployer': { id: '2', name: 'o', role: 'deployer', domains: ['marketing'] },
      'sales-reader': { id: '3', name: 'r', role: 'reader', domains: ['sales'] },
    };
    const verifier: TokenVerifier = {
      verify: async (token) => {
        const principal = principals[token];
        if (!principal) throw new UnauthorizedError('unknown token');
        return principal;
      },
    } as TokenVerifier;
    const guarded = await startLocalLambdaServer({
      host: '127.0.0.1',
      port: 0,
      functions: runtime.functions,
      routes: localRoutes(runtime),
      logger: silentLogger,
      verifier,
    });
    const invoke = (token?: string) =>
      fetch(`${guarded.url}/2015-03-31/functions/guarded/invocations`, {
        method: 'POST',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    try {
      expect((await invoke()).status).toBe(401);
      expect((await invoke('forged')).status).toBe(401);
      expect((await invoke('sales-reader')).status).toBe(403);
      expect((await invoke('other-deployer')).status).toBe(403);
      const allowed = await invoke('sales-deployer');
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual({ version: 1 });
    } finally {
      await guarded.close();
    }
  });
});

/** The local runtime always has a route table; its type allows none for the AWS mode. */
function localRoutes(runtime: { routes?: LocalRouteTable }): LocalRouteTable {
  if (!runtime.routes) throw new Error('the local Lambda runtime has no route table');
  return runtime.routes;
}
