import { describe, expect, it } from 'vitest';
import {
  loadOpenApiDocument,
  mergeOpenApi,
  type OpenApiDocument,
  swaggerFile,
} from '../../shared/http/openapi.js';
import { openApiProblems } from '../../shared/http/openapi-structure.js';

const ok = { '200': { description: 'ok' } };
const minimal = (paths: object, extra: object = {}) => ({
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths,
  ...extra,
});

describe('openApiProblems', () => {
  it('accepts a minimal document', () => {
    expect(openApiProblems(minimal({ '/a': { get: { responses: ok } } }))).toEqual([]);
  });

  it.each([
    ['a missing version', { info: { title: 't', version: '1' }, paths: {} }, 'openapi must be'],
    [
      'a Swagger 2 document',
      { swagger: '2.0', openapi: '2.0', info: { title: 't', version: '1' }, paths: {} },
      'openapi must be',
    ],
    ['a path without /', minimal({ a: { get: { responses: ok } } }), 'must start with /'],
    [
      'an undeclared path parameter',
      minimal({ '/a/{id}': { get: { responses: ok } } }),
      'id is not declared',
    ],
    [
      'an optional path parameter',
      minimal({
        '/a/{id}': { get: { parameters: [{ name: 'id', in: 'path', schema: {} }], responses: ok } },
      }),
      'must be required',
    ],
    [
      'a declared path parameter absent from the path',
      minimal({
        '/a': {
          get: { parameters: [{ name: 'id', in: 'path', required: true, schema: {} }], responses: ok },
        },
      }),
      'id is not in the path',
    ],
    [
      'a parameter inside a segment',
      minimal({ '/a/{id}.json': { get: { responses: ok } } }),
      'whole segment',
    ],
    ['an operation without responses', minimal({ '/a': { get: {} } }), 'at least one response'],
    [
      'a response without description',
      minimal({ '/a': { get: { responses: { '200': {} } } } }),
      'needs a description',
    ],
    [
      'a reference to nothing',
      minimal({ '/a': { get: { responses: { '200': { $ref: '#/components/responses/Nope' } } } } }),
      'points nowhere',
    ],
    [
      'an unknown security scheme',
      minimal({ '/a': { get: { security: [{ apiKey: [] }], responses: ok } } }),
      'apiKey is not in components.securitySchemes',
    ],
    [
      'an operationId used twice',
      minimal({
        '/a': { get: { operationId: 'x', responses: ok } },
        '/b': { get: { operationId: 'x', responses: ok } },
      }),
      'used twice',
    ],
  ])('reports %s', (_name, document, problem) => {
    expect(openApiProblems(document).join('\n')).toContain(problem);
  });
});

describe('mergeOpenApi', () => {
  const base = loadOpenApiDocument(swaggerFile('microservice'));

  it('adds the extension paths and components under a new title, leaving the base untouched', () => {
    const merged = mergeOpenApi(
      base,
      {
        paths: { '/v1/x': { get: { responses: { '200': { $ref: '#/components/responses/X' } } } } },
        components: { responses: { X: { description: 'x' } } },
      },
      'dmp x microservice',
    );
    expect(merged.info.title).toBe('dmp x microservice');
    expect(Object.keys(merged.paths)).toEqual([...Object.keys(base.paths), '/v1/x']);
    expect(base.paths['/v1/x']).toBeUndefined();
    expect(base.info.title).toBe('dmp microservice');
  });

  it('refuses an operation documented twice and a component redefined', () => {
    expect(() =>
      mergeOpenApi(base, {
        paths: { '/healthz': { get: { responses: ok } } },
        components: { schemas: { Name: { type: 'integer' } } },
      }),
    ).toThrow(/paths \/healthz get; components schemas Name/);
  });

  it('refuses an extension whose references point nowhere', () => {
    expect(() =>
      mergeOpenApi(base, { paths: { '/v1/y': { get: { responses: { '200': { $ref: '#/nowhere' } } } } } }),
    ).toThrow(/not a valid OpenAPI 3 document[\s\S]*points nowhere/);
  });

  it('returns a frozen document: a service cannot change its contract at runtime', () => {
    const merged: OpenApiDocument = mergeOpenApi(base, { paths: {} });
    expect(Object.isFrozen(merged.paths)).toBe(true);
  });
});
