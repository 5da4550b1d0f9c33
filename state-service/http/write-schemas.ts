import {
  NAME_PATTERN,
  normalisedResourceSchema,
  VERSION_PATTERN,
} from '../../shared/descriptor/descriptor-schema.js';
import { RESOURCE_KINDS } from '../../shared/descriptor/types.js';
import { DATA_PRODUCT_STATES, RESOURCE_STATES } from '../../shared/state/lifecycle.js';

const name = { type: 'string', minLength: 1, maxLength: 128, pattern: NAME_PATTERN };
const version = { type: 'string', pattern: VERSION_PATTERN };
const operationId = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' };
const actor = { type: 'string', minLength: 1, maxLength: 256 };
const lastError = { type: ['string', 'null'], maxLength: 8192 };
const attempt = { type: 'integer', minimum: 1, maximum: 1000 };
const dataProductRef = { environment: name, domain: name, name, version };
const resourceRef = { environment: name, domain: name, dataProduct: name, version, name };

const operation = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'removeData', 'steps', 'startedAt'],
  properties: {
    kind: { enum: ['deploy', 'delete'] },
    removeData: { type: 'boolean' },
    startedAt: { type: 'string', minLength: 20, maxLength: 40 },
    steps: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'action', 'method', 'waitsFor'],
        properties: {
          name,
          action: { enum: ['create', 'update', 'delete', 'noop', 'blocked'] },
          method: { enum: ['POST', 'PUT', 'DELETE', null] },
          waitsFor: { type: 'array', items: name },
          reason: { type: 'string', maxLength: 2048 },
        },
      },
    },
  },
};

const resourceDescriptor = normalisedResourceSchema;

const resourceList = { type: 'array', maxItems: 200, items: resourceDescriptor };

/** The normalised descriptor: the state service lists its resources, so their shape must hold. */
const descriptor = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'domain', 'version', 'environment', 'outputPorts', 'workloads', 'observability'],
  properties: {
    name,
    domain: name,
    version,
    environment: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'specific'],
      properties: { name, specific: { type: 'object' } },
    },
    outputPorts: resourceList,
    workloads: resourceList,
    observability: resourceList,
  },
};

const rootCauses = {
  type: 'array',
  maxItems: 1000,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['resource'],
    properties: { resource: name, error: { type: 'string', maxLength: 8192 }, blockedBy: name },
  },
};

export const dataProductWriteSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['environment', 'domain', 'name', 'version', 'state', 'operationId'],
  properties: {
    ...dataProductRef,
    state: { enum: DATA_PRODUCT_STATES },
    operationId,
    descriptor,
    operation,
    lastError,
    rootCauses,
    actor,
  },
};

export const resourceWriteSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['environment', 'domain', 'dataProduct', 'version', 'name', 'state', 'operationId'],
  properties: {
    ...resourceRef,
    kind: { enum: RESOURCE_KINDS },
    technology: name,
    state: { enum: RESOURCE_STATES },
    operationId,
    attempt,
    lastError,
    info: { type: ['object', 'null'] },
    applied: { ...resourceDescriptor, type: ['object', 'null'] },
    actor,
  },
};

export const cancelSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['environment', 'domain', 'name', 'version'],
  properties: { ...dataProductRef, actor },
};

export const leaseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['environment', 'domain', 'name', 'version', 'action', 'owner'],
  properties: {
    ...dataProductRef,
    action: { enum: ['claim', 'renew', 'release'] },
    operationId,
    owner: { type: 'string', minLength: 1, maxLength: 256 },
    ttlMs: { type: 'integer', minimum: 100, maximum: 3_600_000 },
  },
};

export const heartbeatSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['environment', 'domain', 'dataProduct', 'version', 'name', 'operationId', 'attempt'],
  properties: { ...resourceRef, operationId, attempt },
};
