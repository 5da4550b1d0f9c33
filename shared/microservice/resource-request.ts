import { NAME_PATTERN, normalisedResourceSchema, VERSION_PATTERN } from '../descriptor/descriptor-schema.js';
import type { DataProductDescriptor, DataProductRef, ResourceDescriptor } from '../descriptor/types.js';
import { RESOURCE_KINDS, type ResourceKind } from '../descriptor/types.js';
import { bodyValidator } from '../http/request-validation.js';

/** What the provisioner sends to a microservice for one resource (POST, PUT and DELETE alike). */
export interface ResourceRequest {
  operationId: string;
  dataProduct: DataProductRef;
  descriptor: DataProductDescriptor;
  resource: ResourceDescriptor;
  removeData: boolean;
  /** Dispatch attempt within the operation: a re-dispatch after a microservice died gets a higher one. */
  attempt: number;
  /** Every resource named in `resource.dependsOn`, with the info it reported when it became CREATED. */
  dependencies?: Record<string, ResourceDependency>;
}

export interface ResourceDependency {
  kind: ResourceKind;
  technology: string;
  info: Record<string, unknown>;
}

const name = { type: 'string', minLength: 1, maxLength: 128, pattern: NAME_PATTERN };

const dataProductRefSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['environment', 'domain', 'name', 'version'],
  properties: {
    environment: name,
    domain: name,
    name,
    version: { type: 'string', pattern: VERSION_PATTERN },
  },
};

const resourceSchema = normalisedResourceSchema;

export const resourceRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['operationId', 'dataProduct', 'descriptor', 'resource'],
  properties: {
    operationId: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' },
    dataProduct: dataProductRefSchema,
    descriptor: { type: 'object' },
    resource: resourceSchema,
    removeData: { type: 'boolean' },
    attempt: { type: 'integer', minimum: 1, maximum: 1000 },
    dependencies: {
      type: 'object',
      propertyNames: name,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'technology', 'info'],
        properties: { kind: { enum: RESOURCE_KINDS }, technology: name, info: { type: 'object' } },
      },
    },
  },
};

const validateRequest = bodyValidator<ResourceRequest>(resourceRequestSchema, 'resource request');

export function parseResourceRequest(body: unknown): ResourceRequest {
  const request = validateRequest(body);
  return { ...request, removeData: request.removeData ?? false, attempt: request.attempt ?? 1 };
}

/** Several resources of one data product to check at once, changing nothing: one request per microservice. */
export interface ResourceCheckBatch {
  dataProduct: DataProductRef;
  descriptor: DataProductDescriptor;
  resources: ResourceDescriptor[];
}

/** A descriptor holds far fewer resources: this only bounds the work one request can ask for. */
export const MAX_CHECKED_RESOURCES = 1000;

export const resourceCheckBatchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataProduct', 'descriptor', 'resources'],
  properties: {
    dataProduct: dataProductRefSchema,
    descriptor: { type: 'object' },
    resources: { type: 'array', minItems: 1, maxItems: MAX_CHECKED_RESOURCES, items: resourceSchema },
  },
};

const validateBatch = bodyValidator<ResourceCheckBatch>(resourceCheckBatchSchema, 'resource check batch');

/** Each resource of the batch as the request the single check and the dispatches carry. */
export function parseResourceCheckBatch(body: unknown): ResourceRequest[] {
  const { dataProduct, descriptor, resources } = validateBatch(body);
  return resources.map((resource) => ({
    operationId: 'validation',
    dataProduct,
    descriptor,
    resource,
    removeData: false,
    attempt: 1,
  }));
}
