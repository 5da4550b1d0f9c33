import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/env-reader.js';
import { parseYamlDocument } from '../descriptor/source-document.js';
import { RESOURCE_KINDS, type ResourceKind } from '../descriptor/types.js';
import { ValidationError } from '../errors.js';
import { bodyValidator } from '../http/request-validation.js';

/**
 * Federated computational governance as data: global rules set by the
 * governance group, checked on every descriptor. Each rule has a kind (one of
 * the checks below), parameters, an id and a message, and may be limited to
 * some environments. `${environment}`, `${domain}`, `${name}`, `${version}` and
 * `${major}` in parameters are replaced by the descriptor's values.
 */
export type GovernanceRule =
  | RuleBase<'requiredFields', { fields: ('description' | 'owner' | 'allow')[]; kinds?: ResourceKind[] }>
  | RuleBase<'rolePattern', { pattern: string }>
  | RuleBase<'pathPrefix', { technologies: string[]; fields: string[]; prefix: string }>
  | RuleBase<'allowedEnvironments', { byDomain: Record<string, string[]> }>
  | RuleBase<'allowedTechnologies', { byDomain: Record<string, string[]> }>
  | RuleBase<'maxResources', { max: number }>;

interface RuleBase<K extends string, P> {
  id: string;
  message: string;
  kind: K;
  params: P;
  /** Environments the rule applies to; all when absent. */
  environments?: string[];
}

export interface GovernancePolicy {
  rules: GovernanceRule[];
}

const stringList = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 };
const byDomain = { type: 'object', additionalProperties: stringList, minProperties: 1 };
const rule = (kind: string, params: object) => ({
  type: 'object',
  additionalProperties: false,
  required: ['id', 'message', 'kind', 'params'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' },
    message: { type: 'string', minLength: 1, maxLength: 500 },
    kind: { const: kind },
    environments: stringList,
    params: { type: 'object', additionalProperties: false, ...params },
  },
});

const policySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    rules: {
      type: 'array',
      items: {
        oneOf: [
          rule('requiredFields', {
            required: ['fields'],
            properties: {
              fields: { type: 'array', minItems: 1, items: { enum: ['description', 'owner', 'allow'] } },
              kinds: { type: 'array', items: { enum: RESOURCE_KINDS } },
            },
          }),
          rule('rolePattern', {
            required: ['pattern'],
            properties: { pattern: { type: 'string', minLength: 1 } },
          }),
          rule('pathPrefix', {
            required: ['technologies', 'fields', 'prefix'],
            properties: {
              technologies: stringList,
              fields: stringList,
              prefix: { type: 'string', minLength: 1 },
            },
          }),
          rule('allowedEnvironments', { required: ['byDomain'], properties: { byDomain } }),
          rule('allowedTechnologies', { required: ['byDomain'], properties: { byDomain } }),
          rule('maxResources', { required: ['max'], properties: { max: { type: 'integer', minimum: 1 } } }),
        ],
      },
    },
  },
};

const validatePolicy = bodyValidator<GovernancePolicy>(policySchema, 'governance policy');

/** Reads and checks a policy file once, at startup; a bad file stops the service with every problem. */
export function loadGovernancePolicy(path: string): GovernancePolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the governance policy ${path}: ${(error as Error).message}`);
  }
  try {
    const policy = validatePolicy(parseYamlDocument(text).value);
    const ids = policy.rules.map((item) => item.id);
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate) throw new ConfigError(`the governance policy ${path} defines rule ${duplicate} twice`);
    for (const item of policy.rules) {
      if (item.kind === 'rolePattern') new RegExp(item.params.pattern.replaceAll(/\$\{\w+\}/g, 'x'));
    }
    return policy;
  } catch (error) {
    if (error instanceof ValidationError) {
      const problems = error.issues.map((issue) => `${issue.path || '/'}: ${issue.message}`).join('\n  - ');
      throw new ConfigError(`the governance policy ${path} is invalid:\n  - ${problems}`);
    }
    if (error instanceof SyntaxError)
      throw new ConfigError(`the governance policy ${path} has a bad pattern: ${error.message}`);
    throw error;
  }
}
