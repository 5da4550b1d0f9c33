import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readObservabilityServiceConfig } from '../../microservices/observability/observability-service-config.js';
import { startObservabilityService } from '../../microservices/observability/start-observability-service.js';
import type { RunningServer } from '../../shared/http/serve.js';
import { createLogger } from '../../shared/logging/logger.js';
import type { StateClient } from '../../shared/state/state-client.js';
import type { TestTokens } from '../support/auth.js';
import { authed } from '../support/auth.js';
import {
  HARNESS_BUCKET,
  HARNESS_DATA_PRODUCT,
  type LambdaServiceHarness,
  startLambdaServiceHarness,
} from '../support/lambda-service-harness.js';
import { deployWrite } from '../support/state-writes.js';
import { waitFor } from '../support/wait-for.js';

const BUCKET = HARNESS_BUCKET;
/** Everything the observability service logs, at debug level: no token may be in it. */
const logLines: string[] = [];
const logSink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});
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
      kind: 'observability',
      artifact: { key: 'test/sales/obs/status.js', body: endpoint },
      resource: 'quality',
      start: async (env) => {
        const config = readObservabilityServiceConfig({ ...env, DMP_OBSERVABILITY_PORT: '0' });
        return {
          service: await startObservabilityService(config, createLogger('observability', 'debug', logSink)),
          lambda: config.lambdaRuntime,
        };
      },
    });
    ({ tokens, service, state } = harness);
  });

  afterAll(async () => {
    await harness?.close();
  });

  const specific = {
    restAPI: 'dmp-observability',
    bucket: BUCKET,
    observabilityEndpoint: {
      artifact: 'test/sales/obs/status.js',
      handler: 'status.handler',
      lambdaName: 'orders-status',
    },
  };
  const dispatch = (method: 'post' | 'put' | 'delete', operationId: string) =>
    request(service.url)
      [method]('/v1/dataproduct/resource')
      .set('Authorization', `Bearer ${tokens.provisioner}`)
      .send({ ...resourceRequest('quality', specific), operationId });
  const settled = (operationId: string) =>
    waitFor(
      () => state.getResource(dataProduct, 'quality'),
      (record) =>
        record?.operationId === operationId && ['CREATED', 'DELETED', 'FAILED'].includes(record.state),
    );
  /** The provisioner closes one operation and opens the next, with one step for `quality`. */
  const nextOperation = async (closing: string, operationId: string, action: 'update' | 'delete') => {
    await state.writeDataProduct({ ...dataProduct, state: 'CREATED', operationId: closing });
    const deploy = deployWrite(dataProduct, [
      { name: 'quality', kind: 'observability', technology: 'aws-lambda' },
    ]);
    await state.writeDataProduct({
      ...deploy,
      state: action === 'delete' ? 'DELETING' : 'UPDATING',
      operationId,
      operation: {
        kind: action === 'delete' ? 'delete' : 'deploy',
        removeData: false,
        startedAt: new Date().toISOString(),
        steps: [{ name: 'quality', action, method: action === 'delete' ? 'DELETE' : 'PUT', waitsFor: [] }],
      },
    });
  };
  const functionAnswer = async (url: string) => (await (await fetch(url)).json()) as Record<string, string>;
  const verify = (token: string) =>
    request(harness.stateServiceUrl).post('/v1/auth/verify').set('Authorization', `Bearer ${token}`);
  const issuedByService = async () =>
    (await authed(harness.stateServiceUrl, tokens.observabilityService).get('/v1/tokens')).body.items.filter(
      (token: { revokedAt: string | null }) => token.revokedAt === null,
    );

  it("gives the endpoint function its own reader token for its data product's domain: issued at create, kept on update, revoked at delete", async () => {
    expect((await dispatch('post', 'op-1')).status).toBe(202);
    const created = await settled('op-1');
    expect(created?.state).toBe('CREATED');
    expect(created?.info?.endpoints).toEqual([
      expect.objectContaining({
        lambdaName: 'orders-status',
        functionName: expect.stringMatching(/^dmp-obs-sales-orders-status-[0-9a-f]{16}$/),
      }),
    ]);

    const answer = await functionAnswer(String(created?.info?.url));
    expect(answer).toMatchObject({
      dataProduct: 'test/sales/orders/1.0.0',
      path: '/test/sales/orders/1.0.0/quality/orders-status',
    });
    const token = answer.token as string;
    expect(JSON.stringify(created)).not.toContain(token);
    expect((await verify(token)).body).toMatchObject({
      role: 'reader',
      domains: ['sales'],
      serviceIssued: true,
    });
    const asFunction = authed(harness.stateServiceUrl, token);
    expect((await asFunction.get('/v1/state/dataproduct/test/sales/orders/1.0.0')).status).toBe(200);
    expect((await asFunction.get('/v1/state/dataproduct/test/finance/orders/1.0.0')).status).toBe(403);
    expect((await issuedByService()).map((item: { id: string }) => item.id)).toEqual([token.slice(4, 36)]);

    await nextOperation('op-1', 'op-2', 'update');
    expect((await dispatch('put', 'op-2')).status).toBe(202);
    const updated = await settled('op-2');
    expect(updated?.state).toBe('CREATED');
    expect((await functionAnswer(String(updated?.info?.url))).token).toBe(token);
    expect(await issuedByService()).toHaveLength(1);

    await nextOperation('op-2', 'op-3', 'delete');
    expect((await dispatch('delete', 'op-3')).status).toBe(202);
    expect((await settled('op-3'))?.state).toBe('DELETED');
    expect((await verify(token)).status).toBe(401);
    expect(await issuedByService()).toEqual([]);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((line) => line.includes(token.slice(37)))).toEqual([]);
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
