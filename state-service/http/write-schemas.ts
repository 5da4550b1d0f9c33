import { NAME_PATTERN, VERSION_PATTERN } from '../../shared/descriptor/descriptor-schema.js';
import { RESOURCE_KINDS } from '../../shared/descriptor/types.js';
import { DATA_PRODUCT_STATES, RESOURCE_STATES } from '../../shared/state/lifecycle.js';

const name = { type: 'string', minLength: 1, maxLength: 128, pattern: NAME_PATTERN };
const version = { type: 'string', pattern: VERSION_PATTERN };
const operationId = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' };
const lastError = { type: ['string', 'null'], maxLength: 8192 };

export const dataProductWriteSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['environment', 'domain', 'name', 'version', 'state', 'operationId'],
  properties: {
    environment: name,
    domain: name,
    name,
    version,
    state: { enum: DATA_PRODUCT_STATES },
    operationId,
    descriptor: { type: 'object' },
    lastError,
  },
};

export const resourceWriteSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['environment', 'domain', 'dataProduct', 'version', 'name', 'state', 'operationId'],
  properties: {
    environment: name,
    domain: name,
    dataProduct: name,
    version,
    name,
    kind: { enum: RESOURCE_KINDS },
    technology: name,
    state: { enum: RESOURCE_STATES },
    operationId,
    lastError,
    info: { type: ['object', 'null'] },
    applied: { type: ['object', 'null'] },
  },
};
