import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStoreParts } from '../../microservices/event-store/event-store-service.js';
import {
  type EventStoreServiceConfig,
  readEventStoreServiceConfig,
} from '../../microservices/event-store/event-store-service-config.js';
import { startEventStoreService } from '../../microservices/event-store/start-event-store-service.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { TokenVerifier } from '../../shared/auth/token-service.js';
import { UnauthorizedError } from '../../shared/errors.js';
import type { RunningServer } from '../../shared/http/serve.js';
import {
  archivingPort,
  bigEnvelope,
  cloudEvent,
  envelope,
  eventPort,
  resourceRequest,
  s3Folder,
} from '../support/event-store-fixtures.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';

const PRINCIPALS: Record<string, Principal> = {
  'sales-deployer': { id: '1', name: 'sales-ci', role: 'deployer', domains: ['sales'] },
  'sales-reader': { id: '2', name: 'sales-reader', role: 'reader', domains: ['sales'] },
  'finance-deployer': { id: '3', name: 'finance-ci', role: 'deployer', domains: ['finance'] },
  provisioner: { id: '4', name: 'provisioner', role: 'provisioner', domains: ['*'] },
  's3-service': { id: '5', name: 's3', role: 'microservice', domains: ['*'], technologies: ['s3', 's3cdp'] },
  'event-store-service': {
    id: '6',
    name: 'event-store',
    role: 'microservice',
    domains: ['*'],
    technologies: ['event-store'],
  },
  'function-reader': { id: '7', name: 'fn', role: 'reader', domains: ['sales'], serviceIssued: true },
};

/** Tokens are the principal's key: the service's authorization is under test, not token verification. */
const verifier: TokenVerifier = {
  verify: async (token) => {
    const principal = PRINCIPALS[token];
    if (!principal) throw new UnauthorizedError('unknown token');
    return principal;
  },
};

let stack: TestStack;
let service: RunningServer;
let config: EventStoreServiceConfig;

const PLAIN = '/v1/events/test/sales/orders/1.0.0/order_events';
const ARCHIVING = '/v1/events/test/sales/orders/1.0.0/order_archive';

const as = (token: string) => ({
  post: (path: string) => request(service.url).post(path).set('Authorization', `Bearer ${token}`),
  get: (path: string) => request(service.url).get(path).set('Authorization', `Bearer ${token}`),
});
const deployer = as('sales-deployer');

beforeAll(async () => {
  stack = await startTestStack();
  config = readEventStoreServiceConfig({
    DMP_DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
    DMP_S3_ENDPOINT: stack.s3Endpoint,
    DMP_EVENT_STORE_PORT: '0',
    DMP_STATE_SERVICE_URL: 'http://127.0.0.1:9',
  });
  service = await startEventStoreService(config, silentLogger, { verifier });
  const { provisioner } = await createEventStoreParts(config);
  await provisioner.create(resourceRequest(eventPort()), null);
  const archiving = archivingPort('sales/orders/events', { name: 'order_archive' });
  await provisioner.create(resourceRequest(archiving, [s3Folder()]), null);
});

afterAll(async () => {
  await service.close();
  await stack.close();
  removeDir(stack.dataDir);
});

describe('POST /v1/events/…/{aggregateId}', () => {
  it('appends (201), answers a retry with the original result (200), and refuses a stale version (409)', async () => {
    const body = { expectedVersion: 'no_stream', events: [envelope('h1'), envelope('h2')] };
    const created = await deployer.post(`${PLAIN}/order-1`).send(body);
    expect(created.status).toBe(201);
    expect(created.body).toEqual(
      expect.objectContaining({ firstSequence: 1, lastSequence: 2, version: 2, replayed: false }),
    );
    const retried = await deployer.post(`${PLAIN}/order-1`).send(body);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ ...created.body, replayed: true });
    const stale = await deployer
      .post(`${PLAIN}/order-1`)
      .send({ expectedVersion: 1, events: [envelope('h3')] });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual(expect.objectContaining({ error: 'Conflict', currentVersion: 2 }));
  });

  it('lists every problem of the body with its path (400) and stores nothing', async () => {
    const bad = envelope('v2', undefined, { timestamp: 'soon' });
    const response = await deployer
      .post(`${PLAIN}/order-2`)
      .send({ expectedVersion: 'latest', events: [bad, { specversion: '1.0', id: 'x' }] });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((issue: { path: string }) => issue.path).sort()).toEqual(
      [
        '/expectedVersion',
        '/events/0/metadata/timestamp',
        '/events/1/source',
        '/events/1/type',
        '/events/1/time',
      ].sort(),
    );
    expect((await deployer.get(`${PLAIN}/order-2`)).body.events).toEqual([]);
  });

  it('refuses event data nested thousands deep with 400 and stores nothing', async () => {
    const deep = JSON.stringify(envelope('deep-1', 'DATA')).replace(
      '"DATA"',
      `${'['.repeat(4200)}${']'.repeat(4200)}`,
    );
    const response = await deployer
      .post(`${PLAIN}/order-deep`)
      .set('Content-Type', 'application/json')
      .send(`{"events":[${deep}]}`);
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('The body nests too deeply');
    expect((await deployer.get(`${PLAIN}/order-deep`)).body.events).toEqual([]);
  });

  it('accepts a structured CloudEvent and reads it back as its envelope', async () => {
    const response = await deployer
      .post(`${PLAIN}/order-3`)
      .set('Content-Type', 'application/cloudevents+json')
      .send(JSON.stringify(cloudEvent('ce-1')));
    expect(response.status).toBe(201);
    const read = await deployer.get(`${PLAIN}/order-3`);
    expect(read.body.events[0].event.metadata).toEqual(
      expect.objectContaining({ id: 'ce-1', eventType: 'com.example.order.placed', owner: 'sales' }),
    );
  });

  it('claim-checks an event beyond 400 KB on an archiving port, and answers 413 on a port without archive', async () => {
    const big = bigEnvelope('big-1', 420_000);
    expect((await deployer.post(`${ARCHIVING}/order-4`).send(big)).status).toBe(201);
    const read = await deployer.get(`${ARCHIVING}/order-4`);
    expect(read.body.events[0].event).toEqual(big);
    const refused = await deployer.post(`${PLAIN}/order-4`).send(big);
    expect(refused.status).toBe(413);
    expect(refused.body.error).toBe('PayloadTooLarge');
  });

  it('refuses bad path parameters all at once, other media types, and unknown ports', async () => {
    const path = await deployer
      .post('/v1/events/test/sales/orders/1.x/order_events/.hidden')
      .send(envelope('p'));
    expect(path.status).toBe(400);
    expect(path.body.errors.map((issue: { path: string }) => issue.path)).toEqual([
      '/path/version',
      '/path/aggregateId',
    ]);
    const text = await deployer.post(`${PLAIN}/order-5`).set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
    const unknown = await deployer
      .post('/v1/events/test/sales/orders/1.0.0/nope/order-5')
      .send(envelope('p'));
    expect(unknown.status).toBe(404);
  });
});

describe('authorization', () => {
  it('needs a token, lets only deployers of the domain append, and readers of the domain read', async () => {
    expect((await request(service.url).get(`${PLAIN}/order-1`)).status).toBe(401);
    expect((await as('sales-reader').post(`${PLAIN}/order-6`).send(envelope('a'))).status).toBe(403);
    expect((await as('finance-deployer').post(`${PLAIN}/order-6`).send(envelope('a'))).status).toBe(403);
    expect((await as('finance-deployer').get(`${PLAIN}/order-1`)).status).toBe(403);
    // A stranger cannot probe which ports exist: 403 before 404.
    expect((await as('finance-deployer').get('/v1/events/test/sales/orders/1.0.0/nope/x')).status).toBe(403);
    const read = await as('sales-reader').get(`${PLAIN}/order-1`);
    expect(read.status).toBe(200);
    expect(read.body.events.map((entry: { sequence: number }) => entry.sequence)).toEqual([1, 2]);
  });

  it("lets no service credential read a domain's event payloads, nor a token a service issued", async () => {
    for (const service of ['provisioner', 's3-service', 'event-store-service', 'function-reader']) {
      const read = await as(service).get(`${PLAIN}/order-1`);
      expect(read.status, service).toBe(403);
      expect(read.body.events).toBeUndefined();
    }
    expect((await as('function-reader').post(`${PLAIN}/order-7`).send(envelope('a'))).status).toBe(403);
  });

  it('keeps the provisioning contract for the provisioner only', async () => {
    const body = resourceRequest(archivingPort('elsewhere'), [s3Folder()]);
    const asDeployer = await deployer.post('/v1/dataproduct/resource/validate').send(body);
    expect(asDeployer.status).toBe(403);
    const checked = await as('provisioner').post('/v1/dataproduct/resource/validate').send(body);
    expect(checked.status).toBe(400);
    expect(checked.body.errors).toEqual([
      expect.objectContaining({ path: '/resource/specific/archive/directory' }),
    ]);
  });

  it('checks several resources in one request, each with its own problems, for the provisioner only', async () => {
    const { dataProduct, descriptor } = resourceRequest(archivingPort('elsewhere'), [s3Folder()]);
    const batch = {
      dataProduct,
      descriptor,
      resources: [archivingPort('elsewhere'), { ...archivingPort('elsewhere'), specific: {} }],
    };
    expect((await deployer.post('/v1/dataproduct/resources/validate').send(batch)).status).toBe(403);

    const checked = await as('provisioner').post('/v1/dataproduct/resources/validate').send(batch);
    expect(checked.status).toBe(200);
    expect(checked.body.results).toEqual([
      {
        resource: 'order_events',
        errors: [expect.objectContaining({ path: '/resource/specific/archive/directory' })],
      },
      { resource: 'order_events', errors: [] },
    ]);

    const malformed = await as('provisioner')
      .post('/v1/dataproduct/resources/validate')
      .send({ dataProduct, resources: [] });
    expect(malformed.status).toBe(400);
    // Every problem at once: the missing descriptor and the empty list.
    expect(malformed.body.errors.map((issue: { path: string }) => issue.path).sort()).toEqual([
      '/descriptor',
      '/resources',
    ]);
  });
});

describe('GET /v1/events/…/{aggregateId}', () => {
  it('pages with from, limit and next, and refuses a bad page', async () => {
    await deployer.post(`${PLAIN}/order-7`).send({ events: [1, 2, 3, 4, 5].map((n) => envelope(`g${n}`)) });
    const page = await deployer.get(`${PLAIN}/order-7?from=2&limit=2`);
    expect(page.body).toEqual({
      aggregateId: 'order-7',
      events: [
        { sequence: 2, event: envelope('g2') },
        { sequence: 3, event: envelope('g3') },
      ],
      next: 4,
    });
    const last = await deployer.get(`${PLAIN}/order-7?from=4`);
    expect(last.body.events.map((entry: { sequence: number }) => entry.sequence)).toEqual([4, 5]);
    expect(last.body.next).toBeUndefined();
    const bad = await deployer.get(`${PLAIN}/order-7?from=0&limit=5000`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((issue: { path: string }) => issue.path)).toEqual([
      '/query/from',
      '/query/limit',
    ]);
  });
});
