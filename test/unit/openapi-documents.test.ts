import { describe, expect, it } from 'vitest';
import { descriptorSchema } from '../../shared/descriptor/descriptor-schema.js';
import {
  type HttpMethod,
  loadOpenApiDocument,
  type OpenApiDocument,
  swaggerFile,
} from '../../shared/http/openapi.js';
import { dereference } from '../../shared/http/openapi-refs.js';
import { openApiProblems } from '../../shared/http/openapi-structure.js';
import {
  resourceCheckBatchSchema,
  resourceRequestSchema,
} from '../../shared/microservice/resource-request.js';
import { newTokenSchema } from '../../state-service/http/token-schemas.js';
import {
  cancelSchema,
  dataProductWriteSchema,
  heartbeatSchema,
  leaseSchema,
  resourceWriteSchema,
} from '../../state-service/http/write-schemas.js';

const DOCUMENTS = ['provisioner', 'state-service', 'microservice'] as const;
const load = (name: string) => loadOpenApiDocument(swaggerFile(name));

const WORDS_FOR_PEOPLE = ['title', 'description', 'example', 'examples', 'default'];

/** Words for people (title, description, examples) are not part of what a schema accepts. */
function acceptedShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(acceptedShape);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !WORDS_FOR_PEOPLE.includes(key))
      .map(([key, child]) => [key, key === 'properties' ? propertiesShape(child) : acceptedShape(child)]),
  );
}

/** Under `properties` the keys are property names (a property may be called `description`). */
function propertiesShape(properties: unknown): unknown {
  return Object.fromEntries(
    Object.entries(properties as Record<string, unknown>).map(([name, schema]) => [
      name,
      acceptedShape(schema),
    ]),
  );
}

function documentedSchema(document: OpenApiDocument, name: string): unknown {
  return acceptedShape(dereference(document, { $ref: `#/components/schemas/${name}` }));
}

function operationsOf(document: OpenApiDocument) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    (['get', 'put', 'post', 'delete'] as HttpMethod[]).flatMap((method) => {
      const operation = item[method];
      return operation ? [{ where: `${method.toUpperCase()} ${path}`, operation }] : [];
    }),
  );
}

describe('the OpenAPI documents in swagger/', () => {
  it.each(DOCUMENTS)('%s is a well-formed OpenAPI 3.1 document', (name) => {
    const document = load(name);
    expect(openApiProblems(document)).toEqual([]);
    expect(document.openapi).toMatch(/^3\.1\./);
    // Relative, as when `servers` is absent: the API is wherever the service is reached (behind any proxy).
    expect(document.servers).toEqual([{ url: '/', description: expect.any(String) }]);
  });

  it.each(DOCUMENTS)('%s answers every 4xx and 5xx with the one error body', (name) => {
    const document = load(name);
    const errorSchema = document.components?.schemas?.Error;
    const offenders: string[] = [];
    for (const { where, operation } of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^[45]/.test(status)) continue;
        const resolved = dereference(document, response) as {
          content?: Record<string, { schema?: unknown }>;
        };
        const schema = resolved.content?.['application/json']?.schema;
        if (JSON.stringify(schema) !== JSON.stringify(errorSchema)) offenders.push(`${where} ${status}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('documents the same error body in every service', () => {
    const [first, ...others] = DOCUMENTS.map((name) => load(name).components?.schemas?.Error);
    for (const other of others) expect(other).toEqual(first);
  });

  it.each(DOCUMENTS)(
    '%s documents /healthz, /openapi.json and /docs as public, everything else as bearer',
    (name) => {
      const document = load(name);
      const publicOperations = operationsOf(document)
        .filter(({ operation }) => Array.isArray(operation.security) && operation.security.length === 0)
        .map(({ where }) => where);
      expect(publicOperations.sort()).toEqual(['GET /docs', 'GET /healthz', 'GET /openapi.json']);
      expect(document.security).toEqual([{ bearerAuth: [] }]);
    },
  );
});

describe('documented request schemas are the schemas the code enforces', () => {
  it('the provisioner documents the descriptor schema', () => {
    expect(documentedSchema(load('provisioner'), 'Descriptor')).toEqual(descriptorSchema);
  });

  it('the microservice document has the resource request schema', () => {
    expect(documentedSchema(load('microservice'), 'ResourceRequest')).toEqual(resourceRequestSchema);
  });

  it('the microservice document has the resource check batch schema', () => {
    expect(documentedSchema(load('microservice'), 'ResourceCheckBatch')).toEqual(resourceCheckBatchSchema);
  });

  it.each([
    ['DataProductWrite', dataProductWriteSchema],
    ['ResourceWrite', resourceWriteSchema],
    ['CancelRequest', cancelSchema],
    ['LeaseRequest', leaseSchema],
    ['Heartbeat', heartbeatSchema],
  ])('the state service documents %s as write-schemas.ts has it', (name, schema) => {
    expect(documentedSchema(load('state-service'), name)).toEqual(schema);
  });

  it('the state service documents NewToken as token-schemas.ts has it', () => {
    expect(documentedSchema(load('state-service'), 'NewToken')).toEqual(acceptedShape(newTokenSchema));
  });

  it('the provisioner forwards token requests with the schema the state service enforces', () => {
    expect(documentedSchema(load('provisioner'), 'NewToken')).toEqual(
      documentedSchema(load('state-service'), 'NewToken'),
    );
  });
});
