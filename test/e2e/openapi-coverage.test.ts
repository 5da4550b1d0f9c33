import { Router } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOpenApi } from '../../microservices/event-store/events-openapi.js';
import { createEventsRouter } from '../../microservices/event-store/events-router.js';
import { createProvisionerApp } from '../../provisioner/http/provisioner-app.js';
import type { ProvisioningUseCases } from '../../provisioner/provisioning-use-cases.js';
import type { TokenService, TokenVerifier } from '../../shared/auth/token-service.js';
import { HttpObservability } from '../../shared/http/observability.js';
import {
  loadOpenApiDocument,
  mergeOpenApi,
  type OpenApiExtension,
  swaggerFile,
} from '../../shared/http/openapi.js';
import { routeCoverage } from '../../shared/http/openapi-routes.js';
import { createResourceServiceApp } from '../../shared/microservice/resource-service-app.js';
import type { ResourceUseCases } from '../../shared/microservice/resource-use-cases.js';
import { createStateServiceApp } from '../../state-service/http/state-service-app.js';
import type { StateUseCases } from '../../state-service/state-use-cases.js';
import { freePort } from '../support/free-port.js';
import { silentLogger } from '../support/silent-logger.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

/**
 * The apps are built by the same factories the services run; only their
 * route tables are read, so their use cases are never called.
 */
const never = <T>() => ({}) as T;
const verifier: TokenVerifier = { verify: () => Promise.reject(new Error('not called')) };
const observability = () => new HttpObservability('coverage', silentLogger);

/** A data plane as a microservice adds one: routes of its own, documented beside them. */
const dataPlane = Router();
dataPlane.get('/v1/things/:thing', (_req, res) => {
  res.json({});
});
const dataPlaneDocs: OpenApiExtension = {
  paths: {
    '/v1/things/{thing}': {
      get: {
        operationId: 'getThing',
        parameters: [
          { name: 'thing', in: 'path', required: true, schema: { $ref: '#/components/schemas/Thing' } },
        ],
        responses: { '200': { description: 'the thing' } },
      },
    },
  },
  components: { schemas: { Thing: { type: 'string', pattern: '^[a-z]+$' } } },
};

const APPS = {
  provisioner: {
    app: () =>
      createProvisionerApp({
        useCases: never<ProvisioningUseCases>(),
        verifier,
        observability: observability(),
        stateServiceUrl: 'http://127.0.0.1:9',
        logger: silentLogger,
      }),
    document: () => loadOpenApiDocument(swaggerFile('provisioner')),
  },
  'state service': {
    app: () =>
      createStateServiceApp({
        useCases: never<StateUseCases>(),
        tokens: never<TokenService>(),
        verifier,
        observability: observability(),
        logger: silentLogger,
      }),
    document: () => loadOpenApiDocument(swaggerFile('state-service')),
  },
  'a microservice of the kit': {
    app: () =>
      createResourceServiceApp({
        service: 's3',
        useCases: never<ResourceUseCases>(),
        verifier,
        observability: observability(),
        logger: silentLogger,
      }),
    document: () => loadOpenApiDocument(swaggerFile('microservice')),
  },
  'a microservice with an extra router': {
    app: () =>
      createResourceServiceApp({
        service: 'things',
        useCases: never<ResourceUseCases>(),
        verifier,
        observability: observability(),
        logger: silentLogger,
        extraRouter: dataPlane,
        openapi: dataPlaneDocs,
      }),
    document: () => mergeOpenApi(loadOpenApiDocument(swaggerFile('microservice')), dataPlaneDocs),
  },
  'the event-store microservice (with its data plane)': {
    app: () =>
      createResourceServiceApp({
        service: 'event-store',
        useCases: never<ResourceUseCases>(),
        verifier,
        observability: observability(),
        logger: silentLogger,
        extraRouter: createEventsRouter({
          streams: never(),
          registry: never(),
          tablePrefix: 'dmp-events',
          bodyLimitBytes: 1024,
        }),
        openapi: eventsOpenApi,
      }),
    document: () => mergeOpenApi(loadOpenApiDocument(swaggerFile('microservice')), eventsOpenApi),
  },
};

describe('every route is documented and every documented operation is routed', () => {
  it.each(Object.entries(APPS))('%s', (_name, { app, document }) => {
    const coverage = routeCoverage(app(), document());
    expect(coverage).toEqual({ undocumented: [], unrouted: [] });
  });

  it('notices a route missing from the document, and a documented path nothing routes', () => {
    const undocumented = createResourceServiceApp({
      service: 'things',
      useCases: never<ResourceUseCases>(),
      verifier,
      observability: observability(),
      logger: silentLogger,
      extraRouter: dataPlane,
    });
    const base = loadOpenApiDocument(swaggerFile('microservice'));
    expect(routeCoverage(undocumented, base)).toEqual({
      undocumented: [{ method: 'get', path: '/v1/things/{thing}' }],
      unrouted: [],
    });
    expect(routeCoverage(APPS['a microservice of the kit'].app(), mergeOpenApi(base, dataPlaneDocs))).toEqual(
      {
        undocumented: [],
        unrouted: [{ method: 'get', path: '/v1/things/{thing}' }],
      },
    );
  });
});

describe('the running services serve their documents', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ deadPort: await freePort() });
  });
  afterAll(async () => {
    await platform?.close();
  });

  const services = () => ({
    provisioner: { url: platform.provisioner.url, title: 'dmp provisioner', file: 'provisioner' },
    'state service': { url: platform.stateService.url, title: 'dmp state service', file: 'state-service' },
    's3 microservice': { url: platform.s3Service.url, title: 'dmp s3 microservice', file: 'microservice' },
  });

  it.each(['provisioner', 'state service', 's3 microservice'] as const)(
    '%s: GET /openapi.json without a token is its document',
    async (name) => {
      const { url, title, file } = services()[name];
      const response = await request(url).get('/openapi.json');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body.info.title).toBe(title);
      expect(response.body.paths).toEqual(loadOpenApiDocument(swaggerFile(file)).paths);
    },
  );

  it.each(['provisioner', 'state service', 's3 microservice'] as const)(
    '%s: GET /docs without a token is Swagger UI for that document',
    async (name) => {
      const { url, title } = services()[name];
      const redirect = await request(url).get('/docs');
      expect(redirect.status).toBe(301);
      expect(redirect.headers.location).toBe('docs/');
      const page = await request(url).get('/docs/');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('swagger-ui-bundle.js');
      const init = await request(url).get('/docs/swagger-ui-init.js');
      expect(init.status).toBe(200);
      expect(init.text).toContain(`"title": "${title}"`);
      const assets = await request(url).get('/docs/swagger-ui-bundle.js');
      expect(assets.status).toBe(200);
    },
  );

  it.each(['provisioner', 'state service', 's3 microservice'] as const)(
    '%s: the public operations refuse an undocumented query parameter, as every other operation does',
    async (name) => {
      const { url } = services()[name];
      for (const path of ['/healthz', '/openapi.json', '/docs', '/docs/']) {
        const response = await request(url).get(`${path}?verbose=true`);
        expect({ path, status: response.status, errors: response.body.errors }).toEqual({
          path,
          status: 400,
          errors: [{ path: '/query/verbose', message: 'unknown key "verbose"; none is accepted here' }],
        });
      }
      expect((await request(url).get('/healthz')).status).toBe(200);
    },
  );

  it('a request violating the documented schema gets 400 from the running state service', async () => {
    const response = await request(platform.stateService.url)
      .post('/v1/state/dataproduct/resource/heartbeat')
      .set('Authorization', `Bearer ${platform.tokens.gatedService}`)
      .send({
        environment: 'test',
        domain: 'sales',
        dataProduct: 'x',
        version: '1.0.0',
        name: 'a',
        attempt: 0,
      });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('The heartbeat is invalid');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { path: '/operationId', message: 'is required' },
        { path: '/attempt', message: 'must be >= 1' },
      ]),
    );
  });

  it('an undocumented query parameter gets 400 from the running provisioner', async () => {
    const response = await platform.api.get('/v1/dataproduct/state/test/sales/x/1.0.0?verbose=true');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      expect.objectContaining({ path: '/query/verbose', message: expect.stringMatching(/^unknown key/) }),
    ]);
  });
});
