import { readFileSync } from 'node:fs';
import { ConfigError } from '../../shared/config/env-reader.js';
import { NAME_PATTERN } from '../../shared/descriptor/descriptor-schema.js';
import { parseYamlDocument } from '../../shared/descriptor/source-document.js';
import { RESOURCE_KINDS, type ResourceKind } from '../../shared/descriptor/types.js';
import type { TechnologyCatalog } from '../../shared/descriptor/validate-descriptor.js';
import { ValidationError } from '../../shared/errors.js';
import { bodyValidator } from '../../shared/http/request-validation.js';

export interface MicroserviceEndpoint {
  url: string;
  timeoutMs: number;
}

interface DiscoveryEntry {
  url: string;
  timeoutSeconds?: number;
}

type TechnologyEntries = Record<string, DiscoveryEntry>;

/**
 * `technologies` serves every kind of resource; a section named after a kind
 * (`outputPort`, `workload`, `observability`) overrides it for that kind, so one
 * technology (`aws-lambda`) can be served by a different microservice per kind.
 */
type EnvironmentEntry = { technologies: TechnologyEntries } & Partial<
  Record<ResourceKind, TechnologyEntries>
>;

interface DiscoveryFile {
  environments: Record<string, EnvironmentEntry>;
}

const technologyEntriesSchema = {
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
};

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
          technologies: technologyEntriesSchema,
          ...Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, technologyEntriesSchema])),
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

  /** The technologies a resource of `kind` may use in `environment`; every kind's when `kind` is omitted. */
  technologiesIn(environment: string, kind?: ResourceKind): string[] | undefined {
    const entry = this.environment(environment);
    if (!entry) return undefined;
    const kinds = kind ? [kind] : RESOURCE_KINDS;
    return [
      ...new Set([...Object.keys(entry.technologies), ...kinds.flatMap((k) => Object.keys(entry[k] ?? {}))]),
    ];
  }

  endpointFor(
    environment: string,
    technology: string,
    kind?: ResourceKind,
  ): MicroserviceEndpoint | undefined {
    const entry = this.environment(environment);
    if (!entry) return undefined;
    const byKind = kind ? entry[kind] : undefined;
    const found = ownEntry(byKind, technology) ?? ownEntry(entry.technologies, technology);
    if (!found) return undefined;
    return {
      url: found.url.replace(/\/+$/, ''),
      timeoutMs: found.timeoutSeconds ? found.timeoutSeconds * 1000 : this.defaultTimeoutMs,
    };
  }

  private environment(name: string): EnvironmentEntry | undefined {
    return Object.hasOwn(this.file.environments, name) ? this.file.environments[name] : undefined;
  }
}

function ownEntry(entries: TechnologyEntries | undefined, technology: string): DiscoveryEntry | undefined {
  return entries && Object.hasOwn(entries, technology) ? entries[technology] : undefined;
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
