import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTokenStore } from '../../shared/auth/dynamo-token-store.js';
import { TokenService } from '../../shared/auth/token-service.js';
import type { DataProductDescriptor, ResourceDescriptor } from '../../shared/descriptor/types.js';
import { HttpObservability } from '../../shared/http/observability.js';
import { type RunningServer, serve } from '../../shared/http/serve.js';
import type { DataProductWrite, ResourceWrite } from '../../shared/state/records.js';
import { createStateServiceApp } from '../../state-service/http/state-service-app.js';
import { ListingCursors } from '../../state-service/listing-cursors.js';
import { StateUseCases } from '../../state-service/state-use-cases.js';
import { DynamoStateStore } from '../../state-service/store/dynamo-state-store.js';
import { ensureStateTables, type StateTableNames } from '../../state-service/store/state-tables.js';
import { authed, issueTestTokens, type TestTokens } from '../support/auth.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';

/** The table names of the thesis, spelled out rather than imported, so that a renamed default is caught. */
const TABLES: StateTableNames = {
  dataProducts: 'dmp-dataproduct-state',
  resources: 'dmp-resource-state',
  history: 'dmp-state-history',
};

let stack: TestStack;
let service: RunningServer;

let tokens: TestTokens;

async function startService(tables: StateTableNames): Promise<RunningServer> {
  await ensureStateTables(stack.dynamo, tables);
  const useCases = new StateUseCases(new DynamoStateStore(stack.dynamo, tables));
  const tokenService = new TokenService(await DynamoTokenStore.create(stack.dynamo));
  return serve(
    createStateServiceApp({
      useCases,
      tokens: tokenService,
      verifier: tokenService,
      observability: new HttpObservability('state-service', silentLogger),
      logger: silentLogger,
    }),
    0,
  );
}

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await issueTestTokens(stack);
  service = await startService(TABLES);
});

afterAll(async () => {
  await service?.close();
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
});

/** The provisioner's credential: the one principal allowed every write of the state service. */
const api = () => authed(service.url, tokens.provisioner);

let counter = 0;
/** A data product name no other test uses. */
const fresh = (prefix = 'dp') => `${prefix}-${++counter}`;

const refOf = (name: string) => ({ environment: 'test', domain: 'sales', name, version: '1.0.0' });
const keyOf = (name: string) => `test#sales#${name}#1.0.0`;
const dataProductPath = (name: string) => `/v1/state/dataproduct/test/sales/${name}/1.0.0`;
const resourcePath = (name: string, resource: string) =>
  `/v1/state/dataproduct/resource/test/sales/${name}/1.0.0/${resource}`;

const resourceDescriptor = (name: string, specific: Record<string, unknown> = {}): ResourceDescriptor => ({
  kind: 'outputPort',
  name,
  type: 'raw',
  technology: 's3',
  owner: 'sales-owner',
  allow: ['sales-reader'],
  dependsOn: [],
  specific,
});

const descriptorOf = (name: string, ...resources: string[]): DataProductDescriptor => ({
  name,
  domain: 'sales',
  version: '1.0.0',
  environment: { name: 'test', specific: {} },
  outputPorts: resources.map((resource) => resourceDescriptor(resource)),
  workloads: [],
  observability: [],
});

const dataProductWrite = (name: string, overrides: Partial<DataProductWrite> = {}): DataProductWrite => ({
  ...refOf(name),
  state: 'CREATING',
  operationId: 'op-1',
  ...overrides,
});

const resourceWrite = (name: string, overrides: Partial<ResourceWrite> = {}): ResourceWrite => ({
  environment: 'test',
  domain: 'sales',
  dataProduct: name,
  version: '1.0.0',
  name: 'raw',
  kind: 'outputPort',
  technology: 's3',
  state: 'CREATING',
  operationId: 'op-1',
  ...overrides,
});

async function writeDataProduct(name: string, overrides: Partial<DataProductWrite> = {}) {
  const response = await api().post('/v1/state/dataproduct').send(dataProductWrite(name, overrides));
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

async function writeResource(name: string, overrides: Partial<ResourceWrite> = {}) {
  const response = await api().post('/v1/state/dataproduct/resource').send(resourceWrite(name, overrides));
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

/** A data product in CREATING under op-1, declaring the given resources. */
async function creating(name: string, ...resources: string[]) {
  await writeDataProduct(name, {
    descriptor: descriptorOf(name, ...(resources.length ? resources : ['raw'])),
  });
}

async function dataProductItem(name: string, table = TABLES.dataProducts) {
  const { Item } = await stack.dynamo.send(
    new GetCommand({ TableName: table, Key: { id: keyOf(name) }, ConsistentRead: true }),
  );
  return Item;
}

async function resourceItem(name: string, resource: string, table = TABLES.resources) {
  const { Item } = await stack.dynamo.send(
    new GetCommand({
      TableName: table,
      Key: { dataProductId: keyOf(name), name: resource },
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** The history entries as stored: an item of a group commit holds several (`entries`), an older item one, flat. */
async function historyItems(name: string, table = TABLES.history) {
  const { Items = [] } = await stack.dynamo.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'dataProductId = :id',
      ExpressionAttributeValues: { ':id': keyOf(name) },
      ConsistentRead: true,
    }),
  );
  return Items.flatMap((item): typeof Items => (Array.isArray(item.entries) ? item.entries : [item]));
}

const errorPaths = (body: { errors?: { path: string }[] }) =>
  (body.errors ?? []).map((issue) => issue.path).sort();

describe('GET /v1/state/dataproduct/{env}/{domain}/{name}/{version}', () => {
  it('answers 404 NotFound for a data product that was never written', async () => {
    const response = await api().get(dataProductPath(fresh()));
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: 'NotFound', message: expect.stringContaining('unknown') });
  });

  it('answers 200 with the data product, its descriptor, operation and resources', async () => {
    const name = fresh();
    const descriptor = descriptorOf(name, 'raw', 'curated');
    const operation = { kind: 'deploy', removeData: false, steps: [], startedAt: '2024-05-01T12:00:00.000Z' };
    await writeDataProduct(name, { descriptor, operation: operation as DataProductWrite['operation'] });
    await writeResource(name, { name: 'raw', attempt: 1 });

    const response = await api().get(dataProductPath(name));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      ...refOf(name),
      state: 'CREATING',
      operationId: 'op-1',
      descriptor,
      operation: { ...operation, cancelRequested: false },
      lastError: null,
      rootCauses: [],
      lease: null,
    });
    expect(response.body.resources).toEqual([
      expect.objectContaining({
        name: 'raw',
        kind: 'outputPort',
        technology: 's3',
        state: 'CREATING',
        operationId: 'op-1',
        attempt: 1,
        heartbeatAt: null,
      }),
    ]);
  });

  it('keeps its bookkeeping (revision, seq, keys) out of the answer', async () => {
    const name = fresh();
    await creating(name);
    await writeResource(name);
    const { body } = await api().get(dataProductPath(name));
    expect(body).not.toHaveProperty('revision');
    expect(body).not.toHaveProperty('seq');
    expect(body).not.toHaveProperty('id');
    expect(body.resources[0]).not.toHaveProperty('revision');
    expect(body.resources[0]).not.toHaveProperty('dataProductId');
  });

  it('refuses a path with spaces, dot segments and a bad version with 400, listing every problem', async () => {
    const response = await api().get('/v1/state/dataproduct/te%20st/%2E%2E/%2E/1.0');
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('ValidationError');
    expect(errorPaths(response.body)).toEqual([
      '/path/domain',
      '/path/environment',
      '/path/name',
      '/path/version',
    ]);
    for (const issue of response.body.errors) expect(issue.message).toEqual(expect.any(String));
  });

  it('refuses a name of ".." with 400 rather than looking it up', async () => {
    const response = await api().get('/v1/state/dataproduct/test/sales/%2E%2E/1.0.0');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: 'ValidationError',
      errors: [{ path: '/path/name', message: expect.stringContaining('..') }],
    });
  });
});

describe('GET /v1/state/dataproduct/resource/{env}/{domain}/{dataProduct}/{version}/{name}', () => {
  it('answers state NONE for a resource the descriptor declares but nobody has written yet', async () => {
    const name = fresh();
    await creating(name, 'raw', 'curated');
    const response = await api().get(resourcePath(name, 'curated'));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: 'curated',
      kind: 'outputPort',
      technology: 's3',
      state: 'NONE',
      operationId: null,
      lastError: null,
      info: null,
      applied: null,
      heartbeatAt: null,
    });
    expect(await resourceItem(name, 'curated')).toBeUndefined();
  });

  it('answers the stored state of a written resource', async () => {
    const name = fresh();
    await creating(name, 'raw');
    await writeResource(name, { state: 'CREATING' });
    await writeResource(name, { state: 'CREATED', info: { uri: 's3://bucket/raw' } });
    const response = await api().get(resourcePath(name, 'raw'));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: 'raw', state: 'CREATED', info: { uri: 's3://bucket/raw' } });
  });

  it('answers 404 for a resource the data product neither declares nor stores', async () => {
    const name = fresh();
    await creating(name, 'raw');
    const response = await api().get(resourcePath(name, 'ghost'));
    expect(response.status).toBe(404);
    expect(response.body.error).toBe('NotFound');
  });

  it('answers 404 for a resource of an unknown data product', async () => {
    const response = await api().get(resourcePath(fresh(), 'raw'));
    expect(response.status).toBe(404);
    expect(response.body.error).toBe('NotFound');
  });

  it('refuses a resource name with a space or ".." with 400', async () => {
    const name = fresh();
    await creating(name, 'raw');
    for (const bad of ['r%20aw', '%2E%2E']) {
      const response = await api().get(resourcePath(name, bad));
      expect(response.status, bad).toBe(400);
      expect(errorPaths(response.body), bad).toEqual(['/path/resource']);
    }
  });
});

describe.each([
  ['POST', 'post'],
  ['PUT', 'put'],
] as const)('%s /v1/state/dataproduct', (_verb, method) => {
  const send = (body: unknown) =>
    api()
      [method]('/v1/state/dataproduct')
      .send(body as object);

  it('moves an unknown data product NONE → CREATING and stores it in dmp-dataproduct-state', async () => {
    const name = fresh();
    const descriptor = descriptorOf(name, 'raw');
    const response = await send(dataProductWrite(name, { descriptor }));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      ...refOf(name),
      state: 'CREATING',
      operationId: 'op-1',
      changed: true,
    });

    const item = await dataProductItem(name);
    expect(item).toMatchObject({
      id: keyOf(name),
      ...refOf(name),
      state: 'CREATING',
      operationId: 'op-1',
      descriptor,
      revision: 1,
      seq: 1,
    });
    const history = await historyItems(name);
    expect(history).toEqual([
      expect.objectContaining({
        seq: 1,
        entity: 'dataProduct',
        resource: null,
        from: 'NONE',
        to: 'CREATING',
        operationId: 'op-1',
      }),
    ]);
  });

  it('answers a replay of the same state and operation with changed: false and writes nothing', async () => {
    const name = fresh();
    await send(dataProductWrite(name));
    const before = await dataProductItem(name);
    const response = await send(dataProductWrite(name));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ state: 'CREATING', operationId: 'op-1', changed: false });
    expect(await dataProductItem(name)).toEqual(before);
    expect(await historyItems(name)).toHaveLength(1);
  });

  it('increments the revision with every transition through a whole lifecycle', async () => {
    const name = fresh();
    const steps: [DataProductWrite['state'], string][] = [
      ['CREATING', 'op-1'],
      ['CREATED', 'op-1'],
      ['UPDATING', 'op-2'],
      ['FAILED', 'op-2'],
      ['DELETING', 'op-3'],
      ['DELETED', 'op-3'],
    ];
    for (const [index, [state, operationId]] of steps.entries()) {
      const response = await send(dataProductWrite(name, { state, operationId, lastError: 'boom' }));
      expect(response.status, `${state}: ${JSON.stringify(response.body)}`).toBe(200);
      const item = await dataProductItem(name);
      expect(item).toMatchObject({ state, operationId, revision: index + 1, seq: index + 1 });
      expect(item?.lastError).toBe(state === 'FAILED' ? 'boom' : null);
    }
    expect((await historyItems(name)).map((entry) => `${entry.from}→${entry.to}`)).toEqual([
      'NONE→CREATING',
      'CREATING→CREATED',
      'CREATED→UPDATING',
      'UPDATING→FAILED',
      'FAILED→DELETING',
      'DELETING→DELETED',
    ]);
  });

  it('refuses an illegal transition with 409 naming the current state, and writes nothing', async () => {
    const name = fresh();
    const response = await send(dataProductWrite(name, { state: 'CREATED' }));
    expect(response.status).toBe(409);
    expect(response.body).toEqual({
      error: 'Conflict',
      message: expect.stringContaining('NONE'),
      currentState: 'NONE',
      operationId: null,
    });
    expect(await dataProductItem(name)).toBeUndefined();
    expect(await historyItems(name)).toEqual([]);
  });

  it('refuses to go back from CREATED to CREATING with 409 and leaves the item alone', async () => {
    const name = fresh();
    await send(dataProductWrite(name));
    await send(dataProductWrite(name, { state: 'CREATED' }));
    const before = await dataProductItem(name);
    const response = await send(dataProductWrite(name, { state: 'CREATING', operationId: 'op-2' }));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'Conflict', currentState: 'CREATED' });
    expect(await dataProductItem(name)).toEqual(before);
  });

  it('refuses a transit data product to another operation with 409 naming the owner', async () => {
    const name = fresh();
    await send(dataProductWrite(name));
    const response = await send(dataProductWrite(name, { state: 'CREATED', operationId: 'intruder' }));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'Conflict', currentState: 'CREATING', operationId: 'op-1' });
    expect(await dataProductItem(name)).toMatchObject({
      state: 'CREATING',
      operationId: 'op-1',
      revision: 1,
    });
  });

  it('refuses to re-open a settled data product under the operation that settled it', async () => {
    const name = fresh();
    await send(dataProductWrite(name, { state: 'CREATING', operationId: 'op-1' }));
    await send(dataProductWrite(name, { state: 'CREATED', operationId: 'op-1' }));
    const response = await send(dataProductWrite(name, { state: 'DELETING', operationId: 'op-1' }));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'Conflict', currentState: 'CREATED' });
    expect(await dataProductItem(name)).toMatchObject({ state: 'CREATED', revision: 2 });
  });

  it('refuses wrong types, unknown keys, a bad state and a bad version with 400 listing each, writing nothing', async () => {
    const name = fresh();
    const response = await send({
      environment: 42,
      domain: 'sales',
      name,
      version: '1.0',
      state: 'DONE',
      operationId: ['op-1'],
      colour: 'red',
      lastError: 7,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'ValidationError', message: expect.any(String) });
    expect(errorPaths(response.body)).toEqual([
      '/colour',
      '/environment',
      '/lastError',
      '/operationId',
      '/state',
      '/version',
    ]);
    for (const issue of response.body.errors) expect(issue.message).toEqual(expect.any(String));
    expect(await dataProductItem(name)).toBeUndefined();
  });

  it('names every missing field with 400', async () => {
    const response = await send({ environment: 'test', domain: 'sales' });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining(
        ['/name', '/version', '/state', '/operationId'].map((path) => ({ path, message: 'is required' })),
      ),
    );
  });

  it('refuses names with spaces or "..", and writes nothing under them', async () => {
    const response = await send({ ...dataProductWrite('..'), domain: 'sa les' });
    expect(response.status).toBe(400);
    expect(errorPaths(response.body)).toEqual(['/domain', '/name']);
    const { Item } = await stack.dynamo.send(
      new GetCommand({ TableName: TABLES.dataProducts, Key: { id: 'test#sa les#..#1.0.0' } }),
    );
    expect(Item).toBeUndefined();
    const dots = await send(dataProductWrite('..'));
    expect(dots.status).toBe(400);
    expect(dots.body.errors).toEqual([{ path: '/name', message: expect.stringContaining('..') }]);
    expect(await dataProductItem('..')).toBeUndefined();
  });

  it('refuses a descriptor that is not a normalised descriptor with 400, writing nothing', async () => {
    const name = fresh();
    const response = await send(dataProductWrite(name, { descriptor: {} as DataProductDescriptor }));
    expect(response.status).toBe(400);
    expect(errorPaths(response.body)).toEqual(
      expect.arrayContaining(['/descriptor/name', '/descriptor/outputPorts', '/descriptor/workloads']),
    );
    expect(await dataProductItem(name)).toBeUndefined();
  });

  it('answers invalid JSON with 400 ValidationError, not 500', async () => {
    const response = await api()
      [method]('/v1/state/dataproduct')
      .set('content-type', 'application/json')
      .send('{"state":');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: 'ValidationError',
      errors: [{ path: '', message: expect.any(String) }],
    });
  });

  it('answers a body that is not a JSON object with 400', async () => {
    for (const body of ['[]', '"CREATING"', 'null']) {
      const response = await api()
        [method]('/v1/state/dataproduct')
        .set('content-type', 'application/json')
        .send(body);
      expect(response.status, body).toBe(400);
      expect(response.body.error, body).toBe('ValidationError');
    }
    const text = await api()
      [method]('/v1/state/dataproduct')
      .set('content-type', 'text/plain')
      .send('CREATING');
    expect(text.status).toBe(400);
    expect(text.body.error).toBe('ValidationError');
  });
});

describe('POST /v1/state/dataproduct/resource', () => {
  const send = (body: unknown) =>
    api()
      .post('/v1/state/dataproduct/resource')
      .send(body as object);

  it('stores a resource of the running operation in dmp-resource-state and in the history', async () => {
    const name = fresh();
    await creating(name, 'raw');
    const response = await send(resourceWrite(name, { attempt: 1 }));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: 'raw',
      state: 'CREATING',
      operationId: 'op-1',
      changed: true,
    });
    expect(await resourceItem(name, 'raw')).toMatchObject({
      dataProductId: keyOf(name),
      name: 'raw',
      kind: 'outputPort',
      technology: 's3',
      state: 'CREATING',
      operationId: 'op-1',
      attempt: 1,
      revision: 1,
      seq: 2,
    });
    expect((await historyItems(name)).at(-1)).toMatchObject({
      seq: 2,
      entity: 'resource',
      resource: 'raw',
      from: 'NONE',
      to: 'CREATING',
    });
  });

  it('answers a replayed resource write with changed: false', async () => {
    const name = fresh();
    await creating(name, 'raw');
    await send(resourceWrite(name));
    const response = await send(resourceWrite(name));
    expect(response.status).toBe(200);
    expect(response.body.changed).toBe(false);
    expect(await resourceItem(name, 'raw')).toMatchObject({ revision: 1 });
  });

  it('answers 404 for a resource of an unknown data product, writing nothing', async () => {
    const name = fresh();
    const response = await send(resourceWrite(name));
    expect(response.status).toBe(404);
    expect(response.body.error).toBe('NotFound');
    expect(await resourceItem(name, 'raw')).toBeUndefined();
  });

  it('refuses a write under an operation that is not the running one with 409', async () => {
    const name = fresh();
    await creating(name, 'raw');
    const response = await send(resourceWrite(name, { operationId: 'op-old' }));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'Conflict', currentState: 'NONE', operationId: 'op-1' });
    expect(await resourceItem(name, 'raw')).toBeUndefined();
  });

  it('refuses to move a resource while the data product is not in transit with 409', async () => {
    const name = fresh();
    await creating(name, 'raw');
    await writeResource(name, { state: 'CREATING' });
    await writeResource(name, { state: 'CREATED' });
    await writeDataProduct(name, { state: 'CREATED' });
    const response = await send(resourceWrite(name, { state: 'DELETING' }));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'Conflict', currentState: 'CREATED' });
    expect(await resourceItem(name, 'raw')).toMatchObject({ state: 'CREATED', revision: 2 });
  });

  it('refuses an illegal resource transition with 409 naming the current state', async () => {
    const name = fresh();
    await creating(name, 'raw');
    await writeResource(name, { state: 'CREATING' });
    const response = await send(resourceWrite(name, { state: 'DELETED' }));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'Conflict', currentState: 'CREATING' });
  });

  it('refuses the late failure of a superseded attempt once the newer attempt created the resource', async () => {
    const name = fresh();
    await creating(name, 'raw', 'other');
    await writeResource(name, { state: 'CREATING', attempt: 1 });
    await writeResource(name, { state: 'CREATING', attempt: 2 });
    await writeResource(name, { state: 'CREATED', attempt: 2 });
    const response = await send(resourceWrite(name, { state: 'FAILED', attempt: 1, lastError: 'timed out' }));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'Conflict', currentState: 'CREATED', attempt: 2 });
    expect(await resourceItem(name, 'raw')).toMatchObject({ state: 'CREATED', attempt: 2, lastError: null });
  });

  it('keeps info and applied on CREATED and clears both on DELETED', async () => {
    const name = fresh();
    await creating(name, 'raw');
    const applied = resourceDescriptor('raw', { bucket: 'b' });
    await writeResource(name, { state: 'CREATING' });
    await writeResource(name, { state: 'CREATED', info: { uri: 's3://b/raw' }, applied });
    expect(await resourceItem(name, 'raw')).toMatchObject({ info: { uri: 's3://b/raw' }, applied });
    await writeDataProduct(name, { state: 'CREATED' });

    await writeDataProduct(name, { state: 'DELETING', operationId: 'op-2' });
    await writeResource(name, { state: 'DELETING', operationId: 'op-2' });
    expect(await resourceItem(name, 'raw')).toMatchObject({ info: { uri: 's3://b/raw' }, applied });
    await writeResource(name, { state: 'DELETED', operationId: 'op-2' });
    expect(await resourceItem(name, 'raw')).toMatchObject({ state: 'DELETED', info: null, applied: null });
  });

  it('keeps lastError of a FAILED resource and shows it in GET', async () => {
    const name = fresh();
    await creating(name, 'raw');
    await writeResource(name, { state: 'FAILED', lastError: 'access denied' });
    const response = await api().get(resourcePath(name, 'raw'));
    expect(response.body).toMatchObject({ state: 'FAILED', lastError: 'access denied' });
  });

  it('refuses wrong types, unknown keys, bad states and a bad version with 400 listing each, writing nothing', async () => {
    const name = fresh();
    await creating(name, 'raw');
    const response = await send({
      ...resourceWrite(name),
      version: 'v1',
      state: 'NOT_COMPLETED',
      kind: 'table',
      attempt: 0,
      info: 'not an object',
      applied: { name: 'raw' },
      size: 3,
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('ValidationError');
    expect(errorPaths(response.body)).toEqual(
      expect.arrayContaining(['/applied/kind', '/attempt', '/info', '/kind', '/size', '/state', '/version']),
    );
    expect(await resourceItem(name, 'raw')).toBeUndefined();
    expect(await historyItems(name)).toHaveLength(1);
  });

  it('refuses resource and data product names that are ".." or contain spaces with 400', async () => {
    const name = fresh();
    await creating(name, 'raw');
    const response = await send({ ...resourceWrite(name), name: '..', dataProduct: 'a b' });
    expect(response.status).toBe(400);
    expect(errorPaths(response.body)).toEqual(['/dataProduct', '/name']);
    expect(await resourceItem(name, '..')).toBeUndefined();
  });

  it('answers invalid JSON with 400, not 500', async () => {
    const response = await api()
      .post('/v1/state/dataproduct/resource')
      .set('content-type', 'application/json')
      .send('{"name": raw}');
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('ValidationError');
  });
});

describe('concurrent writers', () => {
  const results = (responses: { status: number }[]) => responses.map((response) => response.status);

  it('lets exactly one of 20 operations take a data product NONE → CREATING', async () => {
    const name = fresh('race');
    const operations = Array.from({ length: 20 }, (_, index) => `op-${index}`);
    const responses = await Promise.all(
      operations.map((operationId) =>
        api().post('/v1/state/dataproduct').send(dataProductWrite(name, { operationId })),
      ),
    );
    const statuses = results(responses);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);

    const winner = responses.find((response) => response.status === 200)?.body.operationId;
    expect(operations).toContain(winner);
    for (const loser of responses.filter((response) => response.status === 409)) {
      expect(loser.body).toMatchObject({ error: 'Conflict', currentState: 'CREATING', operationId: winner });
    }
    expect(await dataProductItem(name)).toMatchObject({
      state: 'CREATING',
      operationId: winner,
      revision: 1,
    });
    expect(await historyItems(name)).toHaveLength(1);
  });

  it('settles a data product exactly once when CREATED and FAILED race', async () => {
    const name = fresh('race');
    await writeDataProduct(name);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        api()
          .post('/v1/state/dataproduct')
          .send(dataProductWrite(name, { state: index % 2 === 0 ? 'CREATED' : 'FAILED', lastError: 'x' })),
      ),
    );
    const accepted = responses.filter((response) => response.status === 200);
    const settled = accepted[0]?.body.state;
    expect(['CREATED', 'FAILED']).toContain(settled);
    expect(accepted.map((response) => response.body.state)).toEqual(Array(10).fill(settled));
    expect(accepted.filter((response) => response.body.changed)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 409)).toHaveLength(10);
    expect(await dataProductItem(name)).toMatchObject({ state: settled, revision: 2 });
    expect(await historyItems(name)).toHaveLength(2);
  });

  it('stores all of 20 resources written at once, each under its own history sequence', async () => {
    const name = fresh('race');
    const resources = Array.from({ length: 20 }, (_, index) => `res-${index}`);
    await creating(name, ...resources);
    const responses = await Promise.all(
      resources.map((resource) =>
        api()
          .post('/v1/state/dataproduct/resource')
          .send(resourceWrite(name, { name: resource })),
      ),
    );
    expect(results(responses)).toEqual(Array(20).fill(200));
    for (const resource of resources) {
      expect(await resourceItem(name, resource), resource).toMatchObject({ state: 'CREATING', revision: 1 });
    }
    const history = await historyItems(name);
    expect(history.map((entry) => entry.seq)).toEqual(Array.from({ length: 21 }, (_, index) => index + 1));
    expect(new Set(history.map((entry) => entry.resource))).toEqual(new Set([null, ...resources]));
    const document = await api().get(dataProductPath(name));
    expect(document.body.resources).toHaveLength(20);
    expect(await dataProductItem(name)).toMatchObject({ revision: 1 });
  });

  it('applies 20 identical resource writes once and answers the other 19 as unchanged', async () => {
    const name = fresh('race');
    await creating(name, 'raw');
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        api().post('/v1/state/dataproduct/resource').send(resourceWrite(name)),
      ),
    );
    expect(results(responses)).toEqual(Array(20).fill(200));
    expect(responses.filter((response) => response.body.changed === true)).toHaveLength(1);
    expect(await resourceItem(name, 'raw')).toMatchObject({ state: 'CREATING', revision: 1 });
    expect(await historyItems(name)).toHaveLength(2);
  });

  it('accepts only the running operation among 20 operations racing for one resource', async () => {
    const name = fresh('race');
    await creating(name, 'raw');
    const operations = Array.from({ length: 20 }, (_, index) => (index === 13 ? 'op-1' : `stale-${index}`));
    const responses = await Promise.all(
      operations.map((operationId) =>
        api().post('/v1/state/dataproduct/resource').send(resourceWrite(name, { operationId })),
      ),
    );
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    expect(responses[13]?.status).toBe(200);
    expect(responses.filter((response) => response.status === 409)).toHaveLength(19);
    expect(await resourceItem(name, 'raw')).toMatchObject({ operationId: 'op-1', revision: 1 });
  });

  it('keeps the newest attempt when 20 re-dispatches of one resource race', async () => {
    const name = fresh('race');
    await creating(name, 'raw');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        api()
          .post('/v1/state/dataproduct/resource')
          .send(resourceWrite(name, { attempt: index + 1 })),
      ),
    );
    const acceptedAttempts = responses
      .filter((response) => response.status === 200)
      .map((response) => response.body.attempt as number);
    expect(responses.every((response) => response.status === 200 || response.status === 409)).toBe(true);
    const stored = await resourceItem(name, 'raw');
    expect(stored?.attempt).toBe(Math.max(...acceptedAttempts));
    // Every accepted write was newer than the one before it: the history only ever moves forward.
    const attempts = (await historyItems(name))
      .filter((entry) => entry.resource === 'raw')
      .map((entry) => entry.attempt);
    expect(attempts).toEqual([...attempts].sort((a, b) => a - b));
    expect(new Set(attempts).size).toBe(attempts.length);
  });
});

describe('configurable table names', () => {
  const custom: StateTableNames = {
    dataProducts: 'custom-dataproducts',
    resources: 'custom-resources',
    history: 'custom-history',
  };
  let customService: RunningServer;

  beforeAll(async () => {
    customService = await startService(custom);
  });

  afterAll(async () => {
    await customService?.close();
  });

  it('writes into and reads from the tables it was configured with, and no others', async () => {
    const name = fresh('custom');
    const customApi = () => authed(customService.url, tokens.provisioner);
    const written = await customApi()
      .post('/v1/state/dataproduct')
      .send(dataProductWrite(name, { descriptor: descriptorOf(name, 'raw') }));
    expect(written.status).toBe(200);
    const resource = await customApi().post('/v1/state/dataproduct/resource').send(resourceWrite(name));
    expect(resource.status).toBe(200);

    expect(await dataProductItem(name, custom.dataProducts)).toMatchObject({ state: 'CREATING' });
    expect(await resourceItem(name, 'raw', custom.resources)).toMatchObject({ state: 'CREATING' });
    expect(await historyItems(name, custom.history)).toHaveLength(2);
    expect(await dataProductItem(name)).toBeUndefined();
    expect(await resourceItem(name, 'raw')).toBeUndefined();
    expect(await historyItems(name)).toEqual([]);

    expect((await customApi().get(dataProductPath(name))).body).toMatchObject({ state: 'CREATING' });
    expect((await api().get(dataProductPath(name))).status).toBe(404);
  });
});

describe('listing cursors', () => {
  const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
  const listPage = (query: Record<string, string | number>) =>
    api()
      .get('/v1/state/dataproduct')
      .query({ domain: 'sales', ...query });
  const refusedCursor = (response: { status: number; body: { errors?: { path: string }[] } }) => {
    expect(response.status).toBe(400);
    expect(response.body.errors?.map((issue) => issue.path)).toEqual(['/query/cursor']);
  };

  beforeAll(async () => {
    for (const name of [fresh('listed'), fresh('listed'), fresh('listed')]) {
      expect((await api().post('/v1/state/dataproduct').send(dataProductWrite(name))).status).toBe(200);
    }
  });

  it('pages with the cursor it issued, and refuses one altered, crafted or replayed with another filter with 400', async () => {
    const first = await listPage({ limit: 1 });
    expect(first.status).toBe(200);
    const cursor = first.body.cursor as string;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect((await listPage({ limit: 1, cursor })).status).toBe(200);

    const [key, mac] = cursor.split('.');
    const altered = encode({
      ...JSON.parse(Buffer.from(String(key), 'base64url').toString()),
      id: 'test#finance#x#1.0.0',
    });
    refusedCursor(await listPage({ cursor: `${altered}.${mac}` }));
    refusedCursor(await listPage({ cursor: encode({ id: 5 }) }));
    refusedCursor(await listPage({ cursor: `${encode({ id: 'x', state: 'CREATED' })}.${mac}` }));
    refusedCursor(await listPage({ cursor: 'not-a-cursor' }));
    refusedCursor(await listPage({ cursor }).query({ state: 'CREATING' }));
  });

  it('is signed per process unless replicas share a key', async () => {
    const store = new DynamoStateStore(stack.dynamo, TABLES);
    const shared = 'a shared cursor key of at least 32 characters';
    const [first, second, stranger] = [shared, shared, undefined].map(
      (key) => new StateUseCases(store, undefined, new ListingCursors(key)),
    );
    const page = await first?.list({ domain: 'sales' }, 1);
    expect(page?.cursor).toBeDefined();
    await expect(second?.list({ domain: 'sales' }, 1, page?.cursor)).resolves.toMatchObject({
      items: expect.any(Array),
    });
    await expect(stranger?.list({ domain: 'sales' }, 1, page?.cursor)).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [{ path: '/query/cursor', message: 'is not a cursor this service issued for this listing' }],
    });
  });

  it('reaches DynamoDB only with a start key of the exact shape it gave: {id} for a scan, {id, state} for the state index', async () => {
    const store = new DynamoStateStore(stack.dynamo, TABLES);
    const refused = {
      name: 'ValidationError',
      issues: [{ path: '/query/cursor', message: 'is not a cursor this service issued' }],
    };
    await expect(store.listDataProducts({}, 1, encode({ id: keyOf('x'), extra: 'y' }))).rejects.toMatchObject(
      refused,
    );
    await expect(
      store.listDataProducts({ state: 'CREATING' }, 1, encode({ id: keyOf('x') })),
    ).rejects.toMatchObject(refused);
    await expect(
      store.listDataProducts({ state: 'CREATING' }, 1, encode({ id: keyOf('x'), state: 'CREATED' })),
    ).rejects.toMatchObject(refused);
    await expect(store.listDataProducts({}, 1, encode([keyOf('x')]))).rejects.toMatchObject(refused);
    await expect(
      store.listDataProducts({ state: 'CREATING' }, 1, encode({ id: keyOf('x'), state: 'CREATING' })),
    ).resolves.toMatchObject({ items: expect.any(Array) });
    await expect(store.listDataProducts({}, 1, encode({ id: keyOf('x') }))).resolves.toMatchObject({
      items: expect.any(Array),
    });
  });
});
