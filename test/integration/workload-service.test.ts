import { PutObjectCommand } from '@aws-sdk/client-s3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLambdaRuntime,
  type LambdaRuntime,
} from '../../microservices/lambda-runtime/lambda-runtime-config.js';
import { startLocalLambdaServer } from '../../microservices/lambda-runtime/local-lambda-server.js';
import type { LocalRouteTable } from '../../microservices/lambda-runtime/local-route-table.js';
import { startWorkloadService } from '../../microservices/workload/start-workload-service.js';
import { readWorkloadServiceConfig } from '../../microservices/workload/workload-service-config.js';
import { DEFAULT_TOKEN_TABLE } from '../../shared/auth/dynamo-token-store.js';
import type { RunningServer } from '../../shared/http/serve.js';
import { StateClient } from '../../shared/state/state-client.js';
import { startStateService } from '../../state-service/start-state-service.js';
import { DEFAULT_STATE_TABLES } from '../../state-service/store/state-tables.js';
import { issueTestTokens, type TestTokens } from '../support/auth.js';
import { freePort } from '../support/free-port.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';
import { waitFor } from '../support/wait-for.js';

const BUCKET = 'dmp-datamesh-s3';
const dataProduct = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };
const job = `exports.handler = async (event) => ({ folder: process.env.DMP_DEP_RAW_ORDERS_URI, seen: event });`;

function resourceRequest(name: string, specific: Record<string, unknown>) {
  return {
    operationId: 'op-1',
    dataProduct,
    descriptor: {},
    resource: {
      kind: 'workload',
      name,
      type: 'job',
      technology: 'aws-lambda',
      allow: [],
      dependsOn: ['raw-orders'],
      specific,
    },
    dependencies: {
      'raw-orders': {
        kind: 'outputPort',
        technology: 's3',
        info: { uri: 's3://ms-datamesh-s3/orders/raw/' },
      },
    },
  };
}

describe('the workload microservice over HTTP, on the state service and the local Lambda runtime', () => {
  let stack: TestStack;
  let servers: RunningServer[] = [];
  let runtime: LambdaRuntime;
  let tokens: TestTokens;
  let service: RunningServer;
  let lambdaServer: RunningServer;
  let state: StateClient;

  beforeAll(async () => {
    stack = await startTestStack();
    await stack.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'jobs/count.js', Body: job }));
    const stateService = await startStateService(
      {
        host: '127.0.0.1',
        port: 0,
        dynamoDbEndpoint: stack.dynamoDbEndpoint,
        tables: DEFAULT_STATE_TABLES,
        createTables: true,
        tokenTable: DEFAULT_TOKEN_TABLE,
        auth: { tokenCacheMs: 1_000 },
      },
      silentLogger,
    );
    servers.push(stateService);
    tokens = await issueTestTokens(stack);
    state = new StateClient(stateService.url, { token: tokens.provisioner });
    // The provisioner's side of the contract: the data product is in transit under the operation.
    await state.writeDataProduct({
      ...dataProduct,
      state: 'CREATING',
      operationId: 'op-1',
      operation: {
        kind: 'deploy',
        removeData: false,
        startedAt: new Date().toISOString(),
        steps: [{ name: 'count', action: 'create', method: 'POST', waitsFor: [] }],
      },
    });
    const lambdaPort = await freePort();
    const config = readWorkloadServiceConfig({
      DMP_WORKLOAD_PORT: '0',
      DMP_STATE_SERVICE_URL: stateService.url,
      DMP_DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
      DMP_S3_ENDPOINT: stack.s3Endpoint,
      DMP_SERVICE_TOKEN: tokens.microservice,
      DMP_HEARTBEAT_MS: '200',
      DMP_LAMBDA_SERVER_PORT: String(lambdaPort),
      DMP_LAMBDA_CODE_DIR: `${stack.dataDir}/lambda`,
    });
    service = await startWorkloadService(config, silentLogger);
    servers.push(service);
    runtime = await createLambdaRuntime(
      config.lambdaRuntime,
      { dynamoDbEndpoint: stack.dynamoDbEndpoint, s3Endpoint: stack.s3Endpoint },
      silentLogger,
    );
    lambdaServer = await startLocalLambdaServer({
      host: '127.0.0.1',
      port: lambdaPort,
      functions: runtime.functions,
      routes: runtime.routes as LocalRouteTable,
      logger: silentLogger,
    });
    servers.push(lambdaServer);
  });

  afterAll(async () => {
    for (const server of servers.reverse()) await server.close();
    servers = [];
    await runtime?.close();
    await stack?.close();
    if (stack) removeDir(stack.dataDir);
  });

  it('accepts a workload, reports it CREATED with its function, and the function runs on the invoke endpoint', async () => {
    const accepted = await request(service.url)
      .post('/v1/dataproduct/resource')
      .set('Authorization', `Bearer ${tokens.provisioner}`)
      .send(
        resourceRequest('count', { bucket: BUCKET, artifact: 'jobs/count.js', handler: 'count.handler' }),
      );
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ resource: 'count', state: 'CREATING' });

    const settled = await waitFor(
      () => state.getResource(dataProduct, 'count'),
      (record) => record?.state === 'CREATED' || record?.state === 'FAILED',
    );
    expect(settled).toMatchObject({
      state: 'CREATED',
      info: { functionName: expect.stringMatching(/^dmp-wl-/) },
    });

    const functionName = String(settled?.info?.functionName);
    const invoked = await request(lambdaServer.url)
      .post(`/2015-03-31/functions/${functionName}/invocations`)
      .send({ n: 1 });
    expect(invoked.status).toBe(200);
    expect(invoked.body).toEqual({ folder: 's3://ms-datamesh-s3/orders/raw/', seen: { n: 1 } });
  });

  it('refuses a bad workload with 400 listing every problem, and records nothing', async () => {
    const refused = await request(service.url)
      .post('/v1/dataproduct/resource')
      .set('Authorization', `Bearer ${tokens.provisioner}`)
      .send(
        resourceRequest('broken', {
          bucket: BUCKET,
          artifact: 'jobs/count.jar',
          environment: { DMP_X: '1' },
        }),
      );

    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((issue: { path: string }) => issue.path)).toEqual([
      '/resource/specific/artifact',
      '/resource/specific/handler',
      '/resource/specific/environment/DMP_X',
    ]);
    expect(await state.getResource(dataProduct, 'broken')).toBeUndefined();
  });
});
