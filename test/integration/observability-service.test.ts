import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readObservabilityServiceConfig } from '../../microservices/observability/observability-service-config.js';
import { startObservabilityService } from '../../microservices/observability/start-observability-service.js';
import type { RunningServer } from '../../shared/http/serve.js';
import type { StateClient } from '../../shared/state/state-client.js';
import type { TestTokens } from '../support/auth.js';
import {
  HARNESS_BUCKET,
  HARNESS_DATA_PRODUCT,
  type LambdaServiceHarness,
  startLambdaServiceHarness,
} from '../support/lambda-service-harness.js';
import { silentLogger } from '../support/silent-logger.js';
import { waitFor } from '../support/wait-for.js';

const BUCKET = HARNESS_BUCKET;
const dataProduct = HARNESS_DATA_PRODUCT;
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
  let harness: LambdaServiceHarness;
  let tokens: TestTokens;
  let service: RunningServer;
  let state: StateClient;

  beforeAll(async () => {
    harness = await startLambdaServiceHarness({
      artifact: { key: 'test/sales/obs/status.js', body: endpoint },
      resource: 'quality',
      start: async (env, issued) => {
        const config = readObservabilityServiceConfig({
          ...env,
          DMP_OBSERVABILITY_PORT: '0',
          DMP_OBSERVABILITY_READER_TOKEN: issued.salesReader,
        });
        return {
          service: await startObservabilityService(config, silentLogger),
          lambda: config.lambdaRuntime,
        };
      },
    });
    ({ tokens, service, state } = harness);
  });

  afterAll(async () => {
    await harness?.close();
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
            artifact: 'test/sales/obs/status.js',
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
    expect(settled?.info?.endpoints).toEqual([
      expect.objectContaining({
        lambdaName: 'orders-status',
        functionName: expect.stringMatching(/^dmp-obs-sales-orders-status-[0-9a-f]{16}$/),
      }),
    ]);
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
            { artifact: 'test/sales/obs/status.jar', handler: 'status', lambdaName: 'orders-status' },
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
