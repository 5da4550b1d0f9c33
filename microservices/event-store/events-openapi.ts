import { NAME_PATTERN, VERSION_PATTERN } from '../../shared/descriptor/descriptor-schema.js';
import type { OpenApiExtension } from '../../shared/http/openapi.js';

/**
 * Aggregate ids become DynamoDB keys and S3 key segments: no '/', no '#', never '.' or '..'; a letter or digit
 * first, then letters, digits and _ . : = @ -.
 */
const AGGREGATE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:=@-]{0,255}$';
export const DEFAULT_PAGE = 100;

const name = { type: 'string', minLength: 1, maxLength: 128, pattern: NAME_PATTERN };
const pathParameters = [
  { name: 'environment', in: 'path', required: true, schema: name },
  { name: 'domain', in: 'path', required: true, schema: name },
  { name: 'dataProduct', in: 'path', required: true, schema: name },
  {
    name: 'version',
    in: 'path',
    required: true,
    schema: { type: 'string', maxLength: 64, pattern: VERSION_PATTERN, description: 'MAJOR.MINOR.PATCH' },
  },
  { name: 'port', in: 'path', required: true, schema: name },
  {
    name: 'aggregateId',
    in: 'path',
    required: true,
    schema: { type: 'string', minLength: 1, maxLength: 256, pattern: AGGREGATE_ID_PATTERN },
  },
];
const errors = {
  '400': { $ref: '#/components/responses/BadRequest' },
  '401': { $ref: '#/components/responses/Unauthorized' },
  '403': { $ref: '#/components/responses/Forbidden' },
  '404': {
    description: 'the port is not provisioned',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  },
};
const appendResult = {
  type: 'object',
  required: ['aggregateId', 'firstSequence', 'lastSequence', 'version', 'events', 'committedAt', 'replayed'],
  properties: {
    aggregateId: { type: 'string' },
    firstSequence: { type: 'integer' },
    lastSequence: { type: 'integer' },
    version: { type: 'integer' },
    events: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, sequence: { type: 'integer' } } },
    },
    committedAt: { type: 'string' },
    replayed: { type: 'boolean', description: 'true when this answers a retry of an earlier append' },
  },
};

/** The events data plane, merged into the microservice's OpenAPI document (and used to check path and query). */
export const eventsOpenApi: OpenApiExtension = {
  paths: {
    '/v1/events/{environment}/{domain}/{dataProduct}/{version}/{port}/{aggregateId}': {
      parameters: pathParameters,
      post: {
        operationId: 'appendEvents',
        summary: 'Append events to an aggregate (deployer or admin of the domain)',
        parameters: [
          {
            name: 'expectedVersion',
            in: 'query',
            required: false,
            description: 'for a bare event: any, no_stream or the current version',
            schema: { type: 'string', maxLength: 20 },
          },
        ],
        requestBody: {
          required: true,
          description:
            '{expectedVersion, events: [envelope | CloudEvent]}, a bare event, or a CloudEvents JSON batch',
          content: {
            'application/json': { schema: {} },
            'application/cloudevents+json': { schema: {} },
            'application/cloudevents-batch+json': { schema: {} },
          },
        },
        responses: {
          '201': { description: 'appended', content: { 'application/json': { schema: appendResult } } },
          '200': {
            description: 'a retry: the original result',
            content: { 'application/json': { schema: appendResult } },
          },
          ...errors,
          '409': { $ref: '#/components/responses/Conflict' },
          '413': { $ref: '#/components/responses/PayloadTooLarge' },
          '415': {
            description: 'not JSON',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        },
      },
      get: {
        operationId: 'readEvents',
        summary: 'Read an aggregate forward from a sequence (reader, deployer or admin of the domain)',
        parameters: [
          {
            name: 'from',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 1 },
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: 1000, default: DEFAULT_PAGE },
          },
        ],
        responses: {
          '200': {
            description: 'a page of events; `next` is the `from` of the next page',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['aggregateId', 'events'],
                  properties: {
                    aggregateId: { type: 'string' },
                    events: {
                      type: 'array',
                      items: { type: 'object', properties: { sequence: { type: 'integer' }, event: {} } },
                    },
                    next: { type: 'integer' },
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
  },
};
