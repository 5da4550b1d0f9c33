import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { runtimeFile } from '../runtime-root.js';
import { openApiProblems } from './openapi-structure.js';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: object;
  [key: string]: unknown;
}

export interface OpenApiOperation {
  operationId?: string;
  parameters?: object[];
  requestBody?: object;
  responses: Record<string, object>;
  security?: object[];
  [key: string]: unknown;
}

export type OpenApiPathItem = Partial<Record<HttpMethod, OpenApiOperation>> & {
  parameters?: object[];
  [key: string]: unknown;
};

export type OpenApiComponents = Record<string, Record<string, unknown>>;

/** What a service adds to a shared document: its extra paths and the components they refer to. */
export interface OpenApiExtension {
  paths: Record<string, OpenApiPathItem>;
  components?: OpenApiComponents;
}

export interface OpenApiDocument extends OpenApiExtension {
  openapi: string;
  info: { title: string; version: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** A document of `swagger/` under the runtime root, by its file name without `.yaml`. */
export function swaggerFile(name: string): string {
  return runtimeFile('swagger', `${name}.yaml`);
}

const loaded = new Map<string, OpenApiDocument>();

/**
 * Reads an OpenAPI document once per process and refuses a broken one, so a
 * service never starts with a contract it cannot honour. Its one server is
 * `/`: the document stays relative to wherever the service is reached.
 */
export function loadOpenApiDocument(file: string): OpenApiDocument {
  const cached = loaded.get(file);
  if (cached) return cached;
  const document = asDocument(readYaml(file), file);
  loaded.set(file, document);
  return document;
}

/**
 * The document with an extension's paths and components added. A path and
 * method documented twice, or a component name reused for something else,
 * is a programming error: it throws rather than let one silently win.
 */
export function mergeOpenApi(
  base: OpenApiDocument,
  extension: OpenApiExtension,
  title = base.info.title,
): OpenApiDocument {
  const merged = structuredClone(base);
  merged.info = { ...merged.info, title };
  const clashes: string[] = [];
  for (const [path, item] of Object.entries(extension.paths)) {
    const existing = merged.paths[path];
    if (!existing) {
      merged.paths[path] = structuredClone(item);
      continue;
    }
    for (const [key, value] of Object.entries(item)) {
      if (key in existing) clashes.push(`paths ${path} ${key}`);
      else existing[key] = structuredClone(value);
    }
  }
  for (const [section, entries] of Object.entries(extension.components ?? {})) {
    merged.components = merged.components ?? {};
    const existing = merged.components[section] ?? {};
    merged.components[section] = existing;
    for (const [name, value] of Object.entries(entries)) {
      if (name in existing && JSON.stringify(existing[name]) !== JSON.stringify(value)) {
        clashes.push(`components ${section} ${name}`);
      } else existing[name] = structuredClone(value);
    }
  }
  if (clashes.length > 0) throw new Error(`OpenAPI extension redefines: ${clashes.join('; ')}`);
  return asDocument(merged, `${title} (merged)`);
}

function readYaml(file: string): unknown {
  // Our own files: aliases are welcome; a JSON round trip makes them plain copies.
  return JSON.parse(JSON.stringify(load(readFileSync(file, 'utf8'))));
}

function asDocument(value: unknown, source: string): OpenApiDocument {
  const problems = openApiProblems(value);
  if (problems.length > 0) {
    throw new Error(`${source} is not a valid OpenAPI 3 document:\n- ${problems.join('\n- ')}`);
  }
  return deepFreeze(value as OpenApiDocument);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
