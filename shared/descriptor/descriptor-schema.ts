import { RESOURCE_KINDS } from './types.js';
/**
 * JSON Schema of the descriptor as users write it (thesis figure 5.7), with the
 * thesis' spellings `resourceType` and `outputports` accepted beside `type` and
 * `outputPorts`. Semantic rules (unique names, dependencies, cycles,
 * technologies) are checked in `validate-descriptor.ts`.
 */

/** `.` and `..` are excluded: as URL path segments every HTTP client resolves them away. */
export const NAME_PATTERN = '^(?!\\.{1,2}$)[A-Za-z0-9_.-]+$';
export const VERSION_PATTERN = '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)$';
/** IAM role names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html */
export const ROLE_PATTERN = '^[A-Za-z0-9+=,.@_-]+$';

/** What each pattern means, for error messages a person can act on. */
export const PATTERN_MESSAGES: Record<string, string> = {
  [NAME_PATTERN]: "must contain only letters, digits, '_', '-' and '.' (and not be '.' or '..')",
  [VERSION_PATTERN]: 'must be a version MAJOR.MINOR.PATCH, such as 1.0.0',
  [ROLE_PATTERN]: "must be an IAM role name: letters, digits and '+=,.@_-' only",
};

const name = { type: 'string', minLength: 1, maxLength: 128, pattern: NAME_PATTERN } as const;
const role = { type: 'string', minLength: 1, maxLength: 64, pattern: ROLE_PATTERN } as const;
const freeForm = { type: 'object' } as const;

const commonResourceProperties = {
  name,
  type: { type: 'string', minLength: 1, maxLength: 64, pattern: NAME_PATTERN },
  resourceType: { type: 'string', minLength: 1, maxLength: 64, pattern: NAME_PATTERN },
  technology: { type: 'string', minLength: 1, maxLength: 64, pattern: NAME_PATTERN },
  description: { type: 'string', maxLength: 1024 },
  dependsOn: { type: 'array', items: name, uniqueItems: true, maxItems: 100 },
  specific: freeForm,
} as const;

const ownedResource = {
  type: 'object',
  required: ['name', 'technology', 'owner'],
  additionalProperties: false,
  properties: {
    ...commonResourceProperties,
    owner: role,
    allow: { type: 'array', items: role, uniqueItems: true, maxItems: 100 },
  },
} as const;

const observabilityResource = {
  type: 'object',
  required: ['name', 'technology'],
  additionalProperties: false,
  properties: commonResourceProperties,
} as const;

const resourceList = (items: object) => ({ type: 'array', items, maxItems: 200 }) as const;

export const descriptorSchema = {
  type: 'object',
  required: ['name', 'domain', 'version', 'environment'],
  additionalProperties: false,
  properties: {
    name,
    domain: name,
    version: { type: 'string', pattern: VERSION_PATTERN },
    environment: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: { ...name, maxLength: 64 }, specific: freeForm },
    },
    outputPorts: resourceList(ownedResource),
    outputports: resourceList(ownedResource),
    workloads: resourceList(ownedResource),
    observability: resourceList(observabilityResource),
  },
} as const;

/** Property names the schema knows at each object level, to suggest the closest one to an unknown key. */
export const KNOWN_KEYS = {
  root: Object.keys(descriptorSchema.properties),
  environment: Object.keys(descriptorSchema.properties.environment.properties),
  ownedResource: Object.keys(ownedResource.properties),
  observabilityResource: Object.keys(observabilityResource.properties),
};

/**
 * A resource of a normalised descriptor, as the provisioner sends it to the
 * microservices and the state service stores it: one schema for both.
 */
export const normalisedResourceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'name', 'type', 'technology', 'allow', 'dependsOn', 'specific'],
  properties: {
    kind: { enum: RESOURCE_KINDS },
    name,
    type: { type: 'string', minLength: 1, maxLength: 64 },
    technology: name,
    description: { type: 'string', maxLength: 1024 },
    owner: { type: 'string', minLength: 1, maxLength: 64 },
    allow: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 64 } },
    dependsOn: { type: 'array', maxItems: 100, items: name },
    specific: freeForm,
  },
};
