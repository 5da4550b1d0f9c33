import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, readPlatformOptions, startPlatform } from '../../local/platform.js';
import { EXAMPLE_WORKLOAD_ARTIFACT } from '../../microservices/lambda-runtime/default-artifacts.js';
import { ownedFunctionName } from '../../microservices/lambda-runtime/lambda-naming.js';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients.js';
import type { HistoryEntry } from '../../shared/state/records.js';
import { removeDir } from '../support/local-stack.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Issue 4's "done when", on the platform of `npm start`: the example data
 * product with every technology provisions in dependency order, each resource
 * works, and DELETE removes it all in reverse order, keeping data unless asked.
 */
const example = readFileSync(new URL('../../examples/data-products/orders.yaml', import.meta.url), 'utf8');
const dataDir = mkdtempSync(join(tmpdir(), 'dmp-catalogue-'));
const ports = [
  'DMP_DYNAMODB_PORT',
  'DMP_S3_PORT',
  'DMP_PROVISIONER_PORT',
  'DMP_STATE_SERVICE_PORT',
  'DMP_S3_SERVICE_PORT',
  'DMP_EVENT_STORE_PORT',
  'DMP_OBSERVABILITY_PORT',
  'DMP_WORKLOAD_PORT',
  'DMP_LAMBDA_SERVER_PORT',
];
const env = {
  DMP_DATA_DIR: dataDir,
  DMP_LOG_LEVEL: 'silent',
  ...Object.fromEntries(ports.map((p) => [p, '0'])),
};
const ref = 'test/sales/orders/1.0.0';
const orders = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };

interface ResourceView {
  name: string;
  state: string;
  info: Record<string, unknown> | null;
}
interface StateView {
  state: string;
  resources: ResourceView[];
}

let platform: Platform;
let auth: { authorization: string };

beforeAll(async () => {
  platform = await startPlatform(readPlatformOptions(env));
  auth = { authorization: `Bearer ${platform.adminToken}` };
});
afterAll(async () => {
  await platform?.close();
  removeDir(dataDir);
});

async function api(method: string, path: string, body?: string, contentType = 'application/yaml') {
  const response = await fetch(`${platform.endpoints.provisioner}${path}`, {
    method,
    headers: { ...auth, ...(body ? { 'content-type': contentType } : {}) },
    ...(body ? { body } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const settled = (expected: string) =>
  waitFor(
    async () => (await api('GET', `/v1/dataproduct/state/${ref}`)).body as unknown as StateView,
    (state) => !['CREATING', 'UPDATING', 'DELETING'].includes(state.state),
    { timeoutMs: 60_000, intervalMs: 100 },
  ).then((state) => {
    expect(state.state, JSON.stringify(state)).toBe(expected);
    return state;
  });

async function history(): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await api(
      'GET',
      `/v1/dataproduct/history/${ref}?limit=500${after ? `&after=${after}` : ''}`,
    );
    entries.push(...(page.body.entries as HistoryEntry[]));
    if (page.body.next === undefined) return entries;
    after = page.body.next as number;
  }
}

/** The seq at which a resource reached `to` in its last transition to it. */
function seqOf(entries: HistoryEntry[], resource: string, to: string): number {
  const found = entries.filter((entry) => entry.resource === resource && entry.to === to).at(-1);
  if (!found) throw new Error(`${resource} never became ${to}`);
  return found.seq;
}

/** The tokens issued for observability functions, as the local admin lists them. */
async function functionTokens(): Promise<Array<Record<string, unknown>>> {
  const { items } = (await api('GET', '/v1/tokens')).body as { items: Array<Record<string, unknown>> };
  return items.filter((token) => String(token.name).startsWith('observability.'));
}

const infoOf = (state: StateView, name: string) =>
  state.resources.find((resource) => resource.name === name)?.info ?? {};

/** A finance workload (issue 16 §7): sales' artifact is refused, a platform one runs under finance's own name. */
function financeWorkload(artifact: string, lambdaName: string): string {
  return dump({
    name: 'ledger',
    domain: 'finance',
    version: '1.0.0',
    environment: { name: 'test', specific: {} },
    outputPorts: [],
    workloads: [
      {
        name: 'squatter',
        type: 'batch',
        technology: 'aws-lambda',
        description: 'tries what belongs to sales',
        owner: 'finance-owner',
        allow: [],
        dependsOn: [],
        specific: { bucket: 'dmp-datamesh-s3', artifact, handler: 'show-dependencies.handler', lambdaName },
      },
    ],
    observability: [],
  });
}

describe("another domain's artifacts and function names on the platform of npm start", () => {
  const salesFunction = ownedFunctionName('dmp-wl', orders, 'order_counter');

  it("refuses a finance workload running sales' artifact with 400 at the check", async () => {
    const refused = await api(
      'POST',
      '/v1/dataproduct',
      financeWorkload('test/sales/jobs/show-dependencies.mjs', 'counter'),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        path: '/workloads/0/specific/artifact',
        message: expect.stringContaining("must lie under this domain's own prefix test/finance/"),
      }),
    ]);
  });

  it("gives a finance workload that asks for the name of sales' future function a name of its own", async () => {
    const yaml = financeWorkload(EXAMPLE_WORKLOAD_ARTIFACT.key, salesFunction);
    expect((await api('POST', '/v1/dataproduct', yaml)).status).toBe(202);
    const finance = await waitFor(
      async () =>
        (await api('GET', '/v1/dataproduct/state/test/finance/ledger/1.0.0')).body as unknown as StateView,
      (state) => state.state === 'CREATED',
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(infoOf(finance, 'squatter').functionName).toMatch(/^dmp-wl-finance-/);
    expect(infoOf(finance, 'squatter').functionName).not.toBe(salesFunction);
  });
});

describe('the resource catalogue on the platform of npm start', () => {
  let created: StateView;

  it('provisions an S3 folder, an archiving event port, an observability endpoint and a workload in dependency order', async () => {
    expect((await api('POST', '/v1/dataproduct', example)).status).toBe(202);
    created = await settled('CREATED');
    const entries = await history();
    expect(seqOf(entries, 'orders_raw', 'CREATED')).toBeLessThan(seqOf(entries, 'order_events', 'CREATING'));
    expect(seqOf(entries, 'order_events', 'CREATED')).toBeLessThan(seqOf(entries, 'quality', 'CREATING'));
    for (const dependency of ['orders_raw', 'order_events']) {
      expect(seqOf(entries, dependency, 'CREATED')).toBeLessThan(seqOf(entries, 'order_counter', 'CREATING'));
    }
    expect((await api('POST', '/v1/dataproduct', example)).body).toMatchObject({ changed: false });
    // The name finance asked for first is sales' all the same.
    expect(infoOf(created, 'order_counter').functionName).toBe(
      ownedFunctionName('dmp-wl', orders, 'order_counter'),
    );
  });

  it('the event port accepts appends, archives them into the folder, and reads them back', async () => {
    const endpoint = String(infoOf(created, 'order_events').endpoint).replace('{aggregateId}', 'order-42');
    const event = {
      metadata: {
        id: 'evt-1',
        timestamp: '1566833470262',
        source: 'webshop',
        eventType: 'OrderPlaced',
        owner: 'sales',
      },
      data: { orderId: 42 },
    };
    const append = await fetch(endpoint, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ expectedVersion: 'no_stream', events: [event] }),
    });
    expect(append.status).toBe(201);
    const read = await fetch(`${endpoint}?from=1`, { headers: auth });
    expect(await read.json()).toMatchObject({ events: [{ sequence: 1, event }] });
    const archived = await createS3Client({ s3Endpoint: platform.endpoints.s3 }).send(
      new ListObjectsV2Command({ Bucket: 'ms-datamesh-s3', Prefix: 'test/sales/orders/events/' }),
    );
    expect(archived.Contents?.length).toBe(1);
  });

  it('the observability URL from info answers over HTTP with the data product status and port metrics', async () => {
    const url = String(infoOf(created, 'quality').url);
    const status = await fetch(`${url}/status`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ name: 'orders', state: 'CREATED' });
    const metrics = await fetch(`${url}/outputports/order_events/metrics`);
    expect(metrics.status).toBe(200);
    expect(JSON.stringify(await metrics.json())).toContain('"name":"available","value":1');
    // Its function reads the state with a token of its own, for sales alone, issued by the observability service.
    expect(await functionTokens()).toEqual([
      expect.objectContaining({ role: 'reader', domains: ['sales'], serviceIssued: true, revokedAt: null }),
    ]);
  });

  it('the workload runs locally and sees the info of what it depends on', async () => {
    const functionName = String(infoOf(created, 'order_counter').functionName);
    const response = await fetch(
      `${platform.endpoints.lambda}/2015-03-31/functions/${functionName}/invocations`,
      {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ run: 1 }),
      },
    );
    expect(response.status).toBe(200);
    const result = (await response.json()) as { variables: Record<string, string>; dependencies: object };
    expect(result.variables.DMP_DEP_ORDERS_RAW_URI).toBe('s3://ms-datamesh-s3/test/sales/orders/');
    expect(result.dependencies).toMatchObject({
      order_events: { endpoint: infoOf(created, 'order_events').endpoint },
    });
  });

  it('DELETE removes everything in reverse order and keeps the data; removeData=true removes it', async () => {
    const table = String(infoOf(created, 'order_events').table);
    const observabilityUrl = String(infoOf(created, 'quality').url);
    expect((await api('DELETE', `/v1/dataproduct/${ref}`)).status).toBe(202);
    await settled('DELETED');
    const entries = await history();
    for (const dependent of ['quality', 'order_counter']) {
      expect(seqOf(entries, dependent, 'DELETED')).toBeLessThan(seqOf(entries, 'order_events', 'DELETING'));
    }
    expect(seqOf(entries, 'order_events', 'DELETED')).toBeLessThan(seqOf(entries, 'orders_raw', 'DELETING'));
    // Its route may still be cached by the local gateway for a moment, but its function is gone: 404 at once.
    expect((await fetch(observabilityUrl)).status).toBe(404);
    expect((await functionTokens()).map((token) => token.revokedAt)).toEqual([expect.any(String)]);
    const dynamo = createDynamoDocumentClient({ dynamoDbEndpoint: platform.endpoints.dynamoDb });
    expect((await dynamo.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus).toBe(
      'ACTIVE',
    );

    expect((await api('POST', '/v1/dataproduct', example)).status).toBe(202);
    await settled('CREATED');
    expect((await api('DELETE', `/v1/dataproduct/${ref}?removeData=true`)).status).toBe(202);
    await settled('DELETED');
    await expect(dynamo.send(new DescribeTableCommand({ TableName: table }))).rejects.toThrow(/not found/i);
    const left = await createS3Client({ s3Endpoint: platform.endpoints.s3 }).send(
      new ListObjectsV2Command({ Bucket: 'ms-datamesh-s3', Prefix: 'test/sales/orders/' }),
    );
    expect(left.Contents ?? []).toEqual([]);
  });
});
