import express, { type Express } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { errorHandler, notFoundHandler } from '../../shared/http/error-handler.js';
import { loadOpenApiDocument, type OpenApiDocument, swaggerFile } from '../../shared/http/openapi.js';
import { validateRequests } from '../../shared/http/openapi-validator.js';
import { silentLogger } from '../support/silent-logger.js';

const name = { type: 'string', minLength: 1, maxLength: 128, pattern: '^(?!\\.{1,2}$)[A-Za-z0-9_.-]+$' };
const ok = { '200': { description: 'ok' } };

const DOCUMENT: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 'test', version: '1.0.0' },
  paths: {
    '/items/{name}': {
      parameters: [{ name: 'name', in: 'path', required: true, schema: name }],
      get: {
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
          { name: 'removeData', in: 'query', schema: { type: 'boolean' } },
        ],
        responses: ok,
      },
      put: {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
        },
        responses: ok,
      },
    },
    '/items/special': { get: { responses: ok } },
    '/raw': {
      post: {
        requestBody: {
          required: true,
          content: {
            'application/yaml': { schema: { type: 'object' } },
            'application/json': { schema: { type: 'object' } },
          },
        },
        responses: ok,
      },
    },
  },
  components: {
    schemas: {
      Item: {
        title: 'item request',
        type: 'object',
        additionalProperties: false,
        required: ['size', 'owner'],
        properties: { size: { type: 'integer', minimum: 0 }, owner: name },
      },
    },
  },
};

/** What the route saw, so a test can tell the validator let the request through untouched. */
function appWith(document: OpenApiDocument, options?: Parameters<typeof validateRequests>[1]): Express {
  const app = express();
  app.post('/raw', express.raw({ type: () => true }), validateRequests(document, options), (req, res) => {
    res.json({ route: 'raw', bytes: (req.body as Buffer).length });
  });
  app.use(express.json());
  app.use(validateRequests(document, options));
  app.get('/items/special', (_req, res) => {
    res.json({ route: 'special' });
  });
  app.get('/items/:name', (req, res) => {
    res.json({ route: 'item', name: req.params.name, query: req.query });
  });
  app.put('/items/:name', (req, res) => {
    res.json({ route: 'put', body: req.body });
  });
  app.use(notFoundHandler);
  app.use(errorHandler(silentLogger));
  return app;
}

describe('validateRequests', () => {
  const app = appWith(DOCUMENT);

  it('lets a request that matches the document through, parameters as the route reads them', async () => {
    const response = await request(app).get('/items/a.b?limit=5&removeData=true');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      route: 'item',
      name: 'a.b',
      query: { limit: '5', removeData: 'true' },
    });
  });

  it('refuses a path parameter the document forbids, decoded, with its pointer', async () => {
    const response = await request(app).get('/items/a%0Ab');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: 'ValidationError',
      message: 'The path is invalid',
      errors: [
        {
          path: '/path/name',
          message: "must contain only letters, digits, '_', '-' and '.' (and not be '.' or '..')",
        },
      ],
    });
  });

  it('refuses `..` as a path parameter even percent-encoded', async () => {
    const response = await request(app).get('/items/%2E%2E');
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('/path/name');
  });

  it('answers malformed percent-encoding with 400, not 500', async () => {
    const response = await request(app).get('/items/%E0%A4%A');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: '/path/name', message: 'is not valid percent-encoding' }]);
  });

  it('lists every query problem at once: types, ranges and unknown parameters', async () => {
    const response = await request(app).get('/items/a?limit=0&removeData=yes&limt=5');
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('The query is invalid');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { path: '/query/limit', message: 'must be >= 1' },
        { path: '/query/removeData', message: 'must be a boolean' },
        { path: '/query/limt', message: 'unknown key "limt"; did you mean "limit"?' },
      ]),
    );
    expect(response.body.errors).toHaveLength(3);
  });

  it('refuses a repeated query parameter where the document has one value', async () => {
    const response = await request(app).get('/items/a?limit=1&limit=2');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: '/query/limit', message: 'must be an integer' }]);
  });

  it('validates a parsed JSON body against the schema, naming it by its title', async () => {
    const response = await request(app).put('/items/a').send({ size: -1, colour: 'red' });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('The item request is invalid');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { path: '/owner', message: 'is required' },
        { path: '/size', message: 'must be >= 0' },
        expect.objectContaining({ path: '/colour' }),
      ]),
    );
  });

  it('does not coerce bodies: a number sent as a string is refused', async () => {
    const response = await request(app).put('/items/a').send({ size: '1', owner: 'me' });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: '/size', message: 'must be an integer' }]);
  });

  it('reports path, query and body problems of one request together', async () => {
    const response = await request(app).put('/items/..?x=1').send({ owner: 'me' });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('The request is invalid');
    expect(response.body.errors.map((issue: { path: string }) => issue.path).sort()).toEqual([
      '/path/name',
      '/query/x',
      '/size',
    ]);
  });

  it('refuses a missing required body', async () => {
    const response = await request(app).put('/items/a');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: '', message: 'the body is required' }]);
  });

  it('leaves a raw body to the route that parses it', async () => {
    const response = await request(app).post('/raw').set('Content-Type', 'application/yaml').send('a: 1');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ route: 'raw', bytes: 4 });
  });

  it('prefers a literal segment over a parameter, as express does', async () => {
    const response = await request(app).get('/items/special');
    expect(response.body).toEqual({ route: 'special' });
  });

  it('lets undocumented paths and methods through to the app', async () => {
    expect((await request(app).get('/elsewhere?anything=1')).status).toBe(404);
    expect((await request(app).delete('/items/..')).status).toBe(404);
  });

  it('validates only the paths it is given', async () => {
    const restricted = appWith(DOCUMENT, { paths: ['/items/special'] });
    const response = await request(restricted).get('/items/a?limit=zero');
    expect(response.status).toBe(200);
  });
});

describe('the state service document, enforced by the validator alone', () => {
  // No state router here: a 400 can only come from the document.
  const document = loadOpenApiDocument(swaggerFile('state-service'));
  const app = express();
  app.use(express.json());
  app.use(validateRequests(document));
  app.use((_req, res) => {
    res.json({ reached: true });
  });
  app.use(errorHandler(silentLogger));

  it('refuses a data product write that violates the documented schema', async () => {
    const response = await request(app)
      .post('/v1/state/dataproduct')
      .send({ environment: 'test', domain: 'sales', name: 'x', version: '1.0', state: 'DONE' });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('The data product state is invalid');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { path: '/operationId', message: 'is required' },
        { path: '/version', message: 'must be a version MAJOR.MINOR.PATCH, such as 1.0.0' },
        expect.objectContaining({ path: '/state' }),
      ]),
    );
  });

  it('refuses a history page size beyond the documented maximum', async () => {
    const response = await request(app).get('/v1/state/dataproduct/history/test/sales/x/1.0.0?limit=1001');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: '/query/limit', message: 'must be <= 1000' }]);
  });

  it('lets a documented, valid request reach the routes', async () => {
    const response = await request(app).get('/v1/state/dataproduct/history/test/sales/x/1.0.0?limit=10');
    expect(response.body).toEqual({ reached: true });
  });
});
