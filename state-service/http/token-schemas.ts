import { ISSUABLE_BY_SERVICES, ROLES } from '../../shared/auth/principal.js';
import { NAME_PATTERN } from '../../shared/descriptor/descriptor-schema.js';
import { RESOURCE_KINDS } from '../../shared/descriptor/types.js';

/** A token request (documented as NewToken in swagger/state-service.yaml and swagger/provisioner.yaml). */
export const newTokenSchema = {
  title: 'token request',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role', 'domains'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.@-]+$' },
    role: { enum: [...ROLES] },
    domains: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      items: { type: 'string', pattern: '^(\\*|(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,128})$' },
    },
    expiresAt: {
      type: ['string', 'null'],
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$',
    },
    technologies: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 64, pattern: NAME_PATTERN },
    },
    kinds: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...RESOURCE_KINDS] } },
    mayIssue: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...ISSUABLE_BY_SERVICES] } },
  },
} as const;
