import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLambdaRuntime,
  type LambdaRuntime,
  readLambdaRuntimeConfig,
} from '../../microservices/lambda-runtime/lambda-runtime-config.js';
import { startLocalLambdaServer } from '../../microservices/lambda-runtime/local-lambda-server.js';
import type { LocalRouteTable } from '../../microservices/lambda-runtime/local-route-table.js';
import { FunctionReaderTokens } from '../../microservices/observability/function-reader-tokens.js';
import { ObservabilityProvisioner } from '../../microservices/observability/observability-provisioner.js';
import { endpointFunctionName } from '../../microservices/observability/observability-routes.js';
import { EnvReader } from '../../shared/config/env-reader.js';
import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { RunningServer } from '../../shared/http/serve.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import { DEFAULT_STORAGE_PLACEMENT } from '../../shared/storage/storage-placement.js';
import { freePort } from '../support/free-port.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';
import { TokenAdministrationDouble } from '../support/token-administration-double.js';

const BUCKET = 'dmp-datamesh-s3';
const ref = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };
/** An endpoint that answers with what it knows: its name, its data product, the path it was asked for. */
const endpointSource = (name: string) => `
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    endpoint: '${name}',
    dataProduct: process.env.DMP_DATA_PRODUCT,
    resource: process.env.DMP_RESOURCE,
    stateService: process.env.DMP_STATE_SERVICE_URL,
    hasToken: /^dmp_[a-f0-9]{32}_/.test(process.env.DMP_STATE_TOKEN ?? ''),
    path: event.path,
  }),
});
`;
/** Artifacts in the domain's own space; functions named after their owner. */
const status = {
  artifact: 'test/sales/obs/status.js',
  handler: 'status.handler',
  lambdaName: 'orders-status',
};
const dq = {
  artifact: 'test/sales/obs/dq.js',
  handler: 'dq.handler',
  lambdaName: 'orders-dq',
  path: 'dq/completeness',
};
const STATUS = endpointFunctionName(ref, 'quality', 'orders-status');
const DQ = endpointFunctionName(ref, 'quality', 'orders-dq');

function resource(endpoints: unknown[]): ResourceDescriptor {
  return {
    kind: 'observability',
    name: 'quality',
    type: 'metrics',
    technology: 'aws-lambda',
    allow: [],
    dependsOn: [],
    specific: { restAPI: 'dmp-observability', bucket: BUCKET, observabilityEndpoint: endpoints },
  };
}

function request(endpoints: unknown[]): ResourceRequest {
  return {
    operationId: 'op-1',
    dataProduct: ref,
    descriptor: {} as ResourceRequest['descriptor'],
    resource: resource(endpoints),
    removeData: false,
    attempt: 1,
  };
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('observability endpoints on the local runtime, answered over HTTP by the local Lambda server', () => {
  let stack: TestStack;
  let runtime: LambdaRuntime;
  let server: RunningServer;
  let provisioner: ObservabilityProvisioner;

  beforeAll(async () => {
    stack = await startTestStack();
    for (const name of ['status', 'dq']) {
      await stack.s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `test/sales/obs/${name}.js`,
          Body: endpointSource(name),
        }),
      );
    }
    const port = await freePort();
    const reader = new EnvReader({
      DMP_DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
      DMP_LAMBDA_SERVER_PORT: String(port),
      DMP_LAMBDA_CODE_DIR: `${stack.dataDir}/lambda`,
    });
    const config = readLambdaRuntimeConfig(reader);
    reader.assertValid();
    runtime = await createLambdaRuntime(
      config,
      { dynamoDbEndpoint: stack.dynamoDbEndpoint, s3Endpoint: stack.s3Endpoint },
      silentLogger,
    );
    server = await startLocalLambdaServer({
      host: '127.0.0.1',
      port,
      functions: runtime.functions,
      routes: runtime.routes as LocalRouteTable,
      logger: silentLogger,
      routeCacheMs: 0,
    });
    provisioner = new ObservabilityProvisioner(runtime.functions, runtime.gateway, {
      stateServiceUrl: 'http://127.0.0.1:8081',
      readerTokens: new FunctionReaderTokens(new TokenAdministrationDouble()),
      placement: DEFAULT_STORAGE_PLACEMENT,
    });
  });

  afterAll(async () => {
    await server?.close();
    await runtime?.close();
    await stack?.close();
    if (stack) removeDir(stack.dataDir);
  });

  it('publishes each endpoint at the URL listed in info, where its function answers GET', async () => {
    const info = await provisioner.create(request([status, dq]), null);
    const urls = info.urls as string[];
    expect(urls).toEqual([
      expect.stringMatching(
        new RegExp(`^${server.url}/.+/test/sales/orders/1\\.0\\.0/quality/orders-status$`),
      ),
      expect.stringMatching(
        new RegExp(`^${server.url}/.+/test/sales/orders/1\\.0\\.0/quality/dq/completeness$`),
      ),
    ]);

    const answer = await get(urls[0] as string);
    expect(answer).toEqual({
      status: 200,
      body: {
        endpoint: 'status',
        dataProduct: 'test/sales/orders/1.0.0',
        resource: 'quality',
        stateService: 'http://127.0.0.1:8081',
        hasToken: true,
        path: '/test/sales/orders/1.0.0/quality/orders-status',
      },
    });
    expect((await get(`${urls[1]}/logs`)).body).toMatchObject({
      endpoint: 'dq',
      path: '/test/sales/orders/1.0.0/quality/dq/completeness/logs',
    });
  });

  it('converges on PUT and on a re-dispatch: a dropped endpoint stops answering and its function is gone', async () => {
    const before = (await provisioner.create(request([status, dq]), null)).urls as string[];
    expect(await runtime.functions.describe(DQ)).toBeDefined();

    const info = await provisioner.update(request([status]), resource([status, dq]));
    const again = await provisioner.create(request([status]), resource([status]));

    expect(again).toEqual(info);
    expect(info.urls).toEqual([before[0]]);
    expect((await get(before[0] as string)).status).toBe(200);
    expect((await fetch(before[1] as string)).status).toBe(404);
    expect(await runtime.functions.describe(DQ)).toBeUndefined();
  });

  it('DELETE unpublishes every route and deletes the functions', async () => {
    const info = await provisioner.create(request([status, dq]), null);
    expect(info.endpoints).toEqual([
      expect.objectContaining({ lambdaName: 'orders-status', functionName: STATUS }),
      expect.objectContaining({ lambdaName: 'orders-dq', functionName: DQ }),
    ]);

    await provisioner.remove(request([status, dq]), resource([status, dq]));

    for (const url of info.urls as string[]) expect((await fetch(url)).status).toBe(404);
    expect(await runtime.functions.describe(STATUS)).toBeUndefined();
    expect(await runtime.functions.describe(DQ)).toBeUndefined();
  });
});
