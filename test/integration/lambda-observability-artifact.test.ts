import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_OBSERVABILITY_ARTIFACT,
  uploadDefaultArtifacts,
} from '../../microservices/lambda-runtime/default-artifacts.js';
import {
  createLambdaRuntime,
  type LambdaRuntime,
} from '../../microservices/lambda-runtime/lambda-runtime-config.js';
import { startLocalLambdaServer } from '../../microservices/lambda-runtime/local-lambda-server.js';
import type { LocalRouteTable } from '../../microservices/lambda-runtime/local-route-table.js';
import type { RunningServer } from '../../shared/http/serve.js';
import { descriptorYaml, statePath } from '../support/descriptors.js';
import { freePort } from '../support/free-port.js';
import { ARTIFACT_BUCKET } from '../support/lambda-artifacts.js';
import { removeDir } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { waitFor } from '../support/wait-for.js';

let platform: TestPlatform;
let runtime: LambdaRuntime;
let server: RunningServer;
let codeDir: string;
let endpointUrl: string;

const DATA_PRODUCT = 'observed';

/** Deploys the default artifact (from its zip, as on AWS) for the data product and publishes it. */
async function deployEndpoint(
  functionName: string,
  pathParts: string[],
  environment: Record<string, string>,
) {
  const created = await runtime.functions.create({
    name: functionName,
    artifact: { bucket: ARTIFACT_BUCKET, key: DEFAULT_OBSERVABILITY_ARTIFACT.zipKey },
    handler: DEFAULT_OBSERVABILITY_ARTIFACT.handler,
    environment,
    owner: `test/sales/${DATA_PRODUCT}/1.0.0/${functionName}`,
  });
  const { url } = await runtime.gateway.publish({
    restApi: 'observed-api',
    pathParts,
    functionName,
    functionArn: created.arn,
  });
  return url;
}

const getJson = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  platform = await startTestPlatform({ deadPort: await freePort() });
  const yaml = descriptorYaml(DATA_PRODUCT, [
    {
      name: 'orders_s3',
      technology: 's3',
      specific: { bucket: 'ms-datamesh-s3', directory: 'orders' },
    },
  ]);
  const posted = await platform.api
    .post('/v1/dataproduct')
    .set('Content-Type', 'application/yaml')
    .send(yaml);
  expect(posted.status).toBe(202);
  await waitFor(
    async () => (await platform.api.get(statePath(DATA_PRODUCT))).body.state as string,
    (state) => state === 'CREATED',
  );

  codeDir = mkdtempSync(join(tmpdir(), 'dmp-observability-code-'));
  const port = await freePort();
  runtime = await createLambdaRuntime(
    {
      mode: 'local',
      stage: 'v1',
      lambdaUrl: `http://127.0.0.1:${port}`,
      codeDir,
      serverPort: port,
      functionTable: 'dmp-local-lambda-functions',
      routeTable: 'dmp-local-api-routes',
      maxConcurrentInvocations: 8,
    },
    { dynamoDbEndpoint: platform.stack.dynamoDbEndpoint, s3Endpoint: platform.stack.s3Endpoint },
    silentLogger,
  );
  server = await startLocalLambdaServer({
    host: '127.0.0.1',
    port,
    functions: runtime.functions,
    routes: localRoutes(runtime),
    logger: silentLogger,
  });
  await uploadDefaultArtifacts(platform.stack.s3, ARTIFACT_BUCKET);
  endpointUrl = await deployEndpoint('observed-obs', [DATA_PRODUCT, 'obs'], {
    DMP_STATE_SERVICE_URL: platform.stateService.url,
    DMP_DATA_PRODUCT: `test/sales/${DATA_PRODUCT}/1.0.0`,
    DMP_STATE_TOKEN: platform.tokens.salesReader,
  });
});

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  await platform?.close();
  if (codeDir) removeDir(codeDir);
});

describe('uploadDefaultArtifacts', () => {
  it('writes the script and the zip once; a second upload writes nothing', async () => {
    const again = await uploadDefaultArtifacts(platform.stack.s3, ARTIFACT_BUCKET);
    expect(again).toMatchObject({
      scriptKey: 'artifacts/dmp-observability/index.mjs',
      zipKey: 'artifacts/dmp-observability/index.zip',
      handler: 'index.handler',
      written: [],
    });
  });

  it('writes every object into a bucket that lacks them', async () => {
    const uploaded = await uploadDefaultArtifacts(platform.stack.s3, 'ms-datamesh-s3');
    expect(uploaded.written).toEqual([
      'artifacts/dmp-observability/index.mjs',
      'artifacts/dmp-observability/index.zip',
      'artifacts/dmp-examples/show-dependencies.mjs',
    ]);
  });
});

describe('the default observability artifact, run by the local runtime against the real state service', () => {
  it('lists its endpoints at the route itself', async () => {
    const { status, body } = await getJson(endpointUrl);
    expect(status).toBe(200);
    expect(body.dataProduct).toEqual({
      environment: 'test',
      domain: 'sales',
      name: DATA_PRODUCT,
      version: '1.0.0',
    });
    expect(body.endpoints).toContain('outputports/{port}/metrics');
  });

  it('answers the data product status with each resource’s state', async () => {
    const { status, body } = await getJson(`${endpointUrl}/status`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      environment: 'test',
      domain: 'sales',
      name: DATA_PRODUCT,
      version: '1.0.0',
      state: 'CREATED',
      resources: [
        { name: 'orders_s3', kind: 'outputPort', technology: 's3', state: 'CREATED', lastError: null },
      ],
    });
  });

  it('answers each output port with its info and metrics', async () => {
    const ports = await getJson(`${endpointUrl}/outputports`);
    expect(ports.body).toMatchObject({ outputports: [{ name: 'orders_s3', state: 'CREATED' }] });

    const port = await getJson(`${endpointUrl}/outputports/orders_s3`);
    expect(port.status).toBe(200);
    expect(port.body).toMatchObject({
      name: 'orders_s3',
      info: { uri: 's3://ms-datamesh-s3/test/sales/orders/' },
    });

    const metrics = await getJson(`${endpointUrl}/outputports/orders_s3/metrics`);
    expect(metrics.body).toMatchObject({
      port: 'orders_s3',
      metrics: [
        { name: 'available', value: 1 },
        { name: 'state', value: 'CREATED' },
        { name: 'secondsSinceLastChange' },
        { name: 'failing', value: 0 },
      ],
    });
  });

  it('answers the state transitions as events', async () => {
    const { status, body } = await getJson(`${endpointUrl}/events?limit=100`);
    expect(status).toBe(200);
    const events = body.events as { resource: string | null; to: string }[];
    expect(events.some((event) => event.resource === 'orders_s3' && event.to === 'CREATED')).toBe(true);
  });

  it('answers 404 for unknown ports, data quality metrics it does not have, and unknown endpoints', async () => {
    expect((await getJson(`${endpointUrl}/outputports/absent`)).status).toBe(404);
    const dq = await getJson(`${endpointUrl}/outputports/orders_s3/dq/completeness/ratio`);
    expect(dq).toMatchObject({
      status: 404,
      body: { message: 'no data quality metrics are recorded for this output port' },
    });
    expect((await getJson(`${endpointUrl}/nonsense`)).status).toBe(404);
  });

  it('answers 502 without a token the state service accepts, and 500 when not configured', async () => {
    const untrusted = await deployEndpoint('observed-untrusted', [DATA_PRODUCT, 'untrusted'], {
      DMP_STATE_SERVICE_URL: platform.stateService.url,
      DMP_DATA_PRODUCT: `test/sales/${DATA_PRODUCT}/1.0.0`,
    });
    expect(await getJson(`${untrusted}/status`)).toMatchObject({
      status: 502,
      body: { error: 'StateServiceUnavailable' },
    });
    const unconfigured = await deployEndpoint('observed-unconfigured', [DATA_PRODUCT, 'unconfigured'], {});
    expect(await getJson(`${unconfigured}/status`)).toMatchObject({
      status: 500,
      body: { error: 'Misconfigured' },
    });
  });
});

/** The local runtime always has a route table; its type allows none for the AWS mode. */
function localRoutes(runtime: { routes?: LocalRouteTable }): LocalRouteTable {
  if (!runtime.routes) throw new Error('the local Lambda runtime has no route table');
  return runtime.routes;
}
