import { PutObjectCommand } from '@aws-sdk/client-s3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLambdaRuntime,
  type LambdaRuntime,
} from '../../microservices/lambda-runtime/lambda-runtime-config.js';
import { startLocalLambdaServer } from '../../microservices/lambda-runtime/local-lambda-server.js';
import type { LocalRouteTable } from '../../microservices/lambda-runtime/local-route-table.js';
import { readObservabilityServiceConfig } from '../../microservices/observability/observability-service-config.js';
import { startObservabilityService } from '../../microservices/observability/start-observability-service.js';
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
const endpoint = `exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ dataProduct: process.env.DMP_DATA_PRODUCT, token: process.env.DMP_STATE_TOKEN, path: event.path }),
});`;

function resourceRequest(name: string, specific: Record<string, unknown>) {
  return {
    operationId: 'op-1',
    dataProduct,
    descriptor: {},
    resource: {
      kind: 'observability',
      name,
      type: 'metrics',
      technology: 'aws-lambda',
      allow: [],
      dependsOn: [],
      specific,
    },
  };
}

describe('the observability microservice over HTTP, on the state service and the local Lambda runtime', () => {
  let stack: TestStack;
  let servers: RunningServer[] = [];
  let runtime: LambdaRuntime;
  let tokens: TestTokens;
  let service: RunningServer;
  let lambdaServer: RunningServer;
  let state: StateClient;

  beforeAll(async () => {
    stack = await startTestStack();
    await stack.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'obs/status.js', Body: endpoint }));
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
        steps: [{ name: 'quality', action: 'create', method: 'POST', waitsFor: [] }],
      },
    });
    const lambdaPort = await freePort();
    const config = readObservabilityServiceConfig({
      DMP_OBSERVABILITY_PORT: '0',
      DMP_OBSERVABILITY_READER_TOKEN: tokens.salesReader,
      DMP_STATE_SERVICE_URL: stateService.url,
      DMP_DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
      DMP_S3_ENDPOINT: stack.s3Endpoint,
      DMP_SERVICE_TOKEN: tokens.microservice,
      DMP_HEARTBEAT_MS: '200',
      DMP_LAMBDA_SERVER_PORT: String(lambdaPort),
      DMP_LAMBDA_CODE_DIR: `${stack.dataDir}/lambda`,
    });
    service = await startObservabilityService(config, silentLogger);
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

  it('accepts an endpoint, reports it CREATED with its URL, and the URL answers GET', async () => {
    const accepted = await request(service.url)
      .post('/v1/dataproduct/resource')
      .set('Authorization', `Bearer ${tokens.provisioner}`)
      .send(
        resourceRequest('quality', {
          restAPI: 'dmp-observability',
          bucket: BUCKET,
          observabilityEndpoint: {
            artifact: 'obs/status.js',
            handler: 'status.handler',
            lambdaName: 'orders-status',
          },
        }),
      );
    expect(accepted.status).toBe(202);

    const settled = await waitFor(
      () => state.getResource(dataProduct, 'quality'),
      (record) => record?.state === 'CREATED' || record?.state === 'FAILED',
    );
    expect(settled?.state).toBe('CREATED');
    expect(JSON.stringify(settled)).not.toContain(tokens.salesReader);

    const answer = await fetch(String(settled?.info?.url));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      dataProduct: 'test/sales/orders/1.0.0',
      token: tokens.salesReader,
      path: '/test/sales/orders/1.0.0/quality/orders-status',
    });
  });

  it('refuses a bad endpoint list with 400 listing every problem, and records nothing', async () => {
    const refused = await request(service.url)
      .post('/v1/dataproduct/resource')
      .set('Authorization', `Bearer ${tokens.provisioner}`)
      .send(
        resourceRequest('broken', {
          bucket: BUCKET,
          observabilityEndpoint: [
            { artifact: 'obs/status.jar', handler: 'status', lambdaName: 'orders-status' },
          ],
        }),
      );

    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((issue: { path: string }) => issue.path)).toEqual([
      '/resource/specific/restAPI',
      '/resource/specific/observabilityEndpoint/0/artifact',
      '/resource/specific/observabilityEndpoint/0/handler',
    ]);
    expect(await state.getResource(dataProduct, 'broken')).toBeUndefined();
  });
});
