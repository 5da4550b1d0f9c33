import { readFileSync } from 'node:fs';
import { ConfigError } from '../../shared/config/env-reader.js';
import { NAME_PATTERN } from '../../shared/descriptor/descriptor-schema.js';
import { parseYamlDocument } from '../../shared/descriptor/source-document.js';
import type { TechnologyCatalog } from '../../shared/descriptor/validate-descriptor.js';
import { ValidationError } from '../../shared/errors.js';
import { bodyValidator } from '../../shared/http/request-validation.js';

export interface MicroserviceEndpoint {
  url: string;
  timeoutMs: number;
}

interface DiscoveryFile {
  environments: Record<string, { technologies: Record<string, { url: string; timeoutSeconds?: number }> }>;
}

const discoverySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['environments'],
  properties: {
    environments: {
      type: 'object',
      propertyNames: { pattern: NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['technologies'],
        properties: {
          technologies: {
            type: 'object',
            propertyNames: { pattern: NAME_PATTERN },
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              required: ['url'],
              properties: {
                url: { type: 'string', pattern: '^https?://[^\\s]+$' },
                timeoutSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
              },
            },
          },
        },
      },
    },
  },
};

const parseDiscoveryFile = bodyValidator<DiscoveryFile>(discoverySchema, 'discovery config');

/**
 * The discovery service of the thesis, as a configuration file: for each
 * environment, the microservice URL (and timeout) of each technology.
 */
export class Discovery implements TechnologyCatalog {
  constructor(
    private readonly file: DiscoveryFile,
    private readonly defaultTimeoutMs: number,
  ) {}

  /** Reads and validates the file once; a bad file stops startup with every problem listed. */
  static load(path: string, defaultTimeoutMs: number, env: NodeJS.ProcessEnv = process.env): Discovery {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read the discovery config ${path}: ${(error as Error).message}`);
    }
    try {
      const document = parseYamlDocument(interpolateEnv(text, env));
      return new Discovery(parseDiscoveryFile(document.value), defaultTimeoutMs);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const problems = error.issues.map((issue) => `${issue.path || '/'}: ${issue.message}`).join('\n  - ');
      throw new ConfigError(`the discovery config ${path} is invalid:\n  - ${problems}`);
    }
  }

  environments(): string[] {
    return Object.keys(this.file.environments);
  }

  technologiesIn(environment: string): string[] | undefined {
    const entry = Object.hasOwn(this.file.environments, environment)
      ? this.file.environments[environment]
      : undefined;
    return entry ? Object.keys(entry.technologies) : undefined;
  }

  endpointFor(environment: string, technology: string): MicroserviceEndpoint | undefined {
    const technologies = Object.hasOwn(this.file.environments, environment)
      ? this.file.environments[environment]?.technologies
      : undefined;
    const entry =
      technologies && Object.hasOwn(technologies, technology) ? technologies[technology] : undefined;
    if (!entry) return undefined;
    return {
      url: entry.url.replace(/\/+$/, ''),
      timeoutMs: entry.timeoutSeconds ? entry.timeoutSeconds * 1000 : this.defaultTimeoutMs,
    };
  }
}

/** Replaces `${NAME}` and `${NAME:-default}` with environment values. */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_match, name: string, fallback?: string) => {
      const value = env[name];
      return value !== undefined && value !== '' ? value : (fallback ?? '');
    },
  );
}
