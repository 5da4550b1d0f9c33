import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownedFunctionName } from '../../microservices/lambda-runtime/lambda-naming.js';
import { startWorkloadService } from '../../microservices/workload/start-workload-service.js';
import { readWorkloadServiceConfig } from '../../microservices/workload/workload-service-config.js';
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
  let harness: LambdaServiceHarness;
  let tokens: TestTokens;
  let service: RunningServer;
  let lambdaServer: RunningServer;
  let state: StateClient;

  beforeAll(async () => {
    harness = await startLambdaServiceHarness({
      kind: 'workload',
      artifact: { key: 'test/sales/jobs/count.js', body: job },
      resource: 'count',
      start: async (env) => {
        const config = readWorkloadServiceConfig({ ...env, DMP_WORKLOAD_PORT: '0' });
        return { service: await startWorkloadService(config, silentLogger), lambda: config.lambdaRuntime };
      },
    });
    ({ tokens, service, lambdaServer, state } = harness);
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('accepts a workload, reports it CREATED with its function, and the function runs on the invoke endpoint', async () => {
    const accepted = await request(service.url)
      .post('/v1/dataproduct/resource')
      .set('Authorization', `Bearer ${tokens.provisioner}`)
      .send(
        resourceRequest('count', {
          bucket: BUCKET,
          artifact: 'test/sales/jobs/count.js',
          handler: 'count.handler',
        }),
      );
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ resource: 'count', state: 'CREATING' });

    const settled = await waitFor(
      () => state.getResource(dataProduct, 'count'),
      (record) => record?.state === 'CREATED' || record?.state === 'FAILED',
    );
    expect(settled).toMatchObject({
      state: 'CREATED',
      info: { functionName: ownedFunctionName('dmp-wl', dataProduct, 'count') },
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
          artifact: 'test/sales/jobs/count.jar',
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

  it("refuses with 400 an artifact of another domain's space or of no domain's", async () => {
    for (const artifact of ['test/finance/jobs/count.js', 'jobs/count.js']) {
      const refused = await request(service.url)
        .post('/v1/dataproduct/resource')
        .set('Authorization', `Bearer ${tokens.provisioner}`)
        .send(resourceRequest('foreign', { bucket: BUCKET, artifact, handler: 'count.handler' }));
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        {
          path: '/resource/specific/artifact',
          message: expect.stringContaining("must lie under this domain's own prefix test/sales/"),
        },
      ]);
    }
    expect(await state.getResource(dataProduct, 'foreign')).toBeUndefined();
  });
});
