import { Ajv, type ValidateFunction } from 'ajv';
import type { Request, RequestHandler, Response } from 'express';
import { PATTERN_MESSAGES } from '../descriptor/descriptor-schema.js';
import { issuesFromAjv } from '../descriptor/schema-issues.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { HTTP_METHODS, type OpenApiDocument, type OpenApiParameter } from './openapi.js';
import { dereference } from './openapi-refs.js';

/** Query strings and path segments are text: `limit=5` must satisfy `type: integer`. Bodies are never coerced. */
const parameterAjv = new Ajv({
  allErrors: true,
  verbose: true,
  strict: false,
  coerceTypes: true,
  useDefaults: true,
  logger: false,
});
const bodyAjv = new Ajv({ allErrors: true, verbose: true, strict: false, logger: false });

interface CompiledOperation {
  method: string;
  template: string;
  pattern: RegExp;
  pathNames: string[];
  /** 1 per literal segment, 0 per templated one: a literal beats a parameter, as in express. */
  specificity: number[];
  path: ValidateFunction;
  query: ValidateFunction;
  body?: { validate: ValidateFunction; title: string; required: boolean };
}

export interface RequestValidationOptions {
  /** Validate only these documented paths (the others pass through untouched). */
  paths?: readonly string[];
}

/**
 * Express middleware compiled once from an OpenAPI document: the path and
 * query parameters of each documented operation, and its JSON body when a
 * body parser has already run, are checked against the document. Every
 * problem of the request is reported at once, each with a JSON pointer
 * (`/path/<name>`, `/query/<name>`, or into the body), as a ValidationError
 * (400). Undocumented query parameters are refused. Requests no operation
 * documents pass through, to be answered 404 by the app.
 */
export function validateRequests(
  document: OpenApiDocument,
  options: RequestValidationOptions = {},
): RequestHandler {
  const operations = compileOperations(document, options.paths);
  return (req, res, next) => {
    const method = req.method === 'HEAD' ? 'get' : req.method.toLowerCase();
    const match = findOperation(operations, method, req.path);
    if (!match) {
      next();
      return;
    }
    const { operation, segments } = match;
    const failed: string[] = [];
    const issues: ValidationIssue[] = [];
    const check = (label: string, part: ValidationIssue[]) => {
      if (part.length === 0) return;
      failed.push(label);
      issues.push(...part);
    };
    check('path', pathIssues(operation, segments));
    const query = { ...req.query };
    check('query', parameterIssues(operation.query, query, '/query'));
    // As the document types them (integers as numbers), with its defaults: routes read these, not req.query.
    res.locals.validatedQuery = query;
    if (operation.body) check(operation.body.title, bodyIssues(operation.body, req));
    if (issues.length === 0) {
      next();
      return;
    }
    const what = failed.length === 1 ? failed[0] : 'request';
    next(new ValidationError(`The ${what} is invalid`, issues));
  };
}

/**
 * The request's query as validateRequests checked it: typed as documented,
 * documented defaults filled in. Routes behind the validator read this
 * instead of checking req.query again with rules of their own.
 */
export function validatedQuery<T extends object>(res: Response): T {
  return (res.locals.validatedQuery ?? {}) as T;
}

function compileOperations(document: OpenApiDocument, only?: readonly string[]): CompiledOperation[] {
  const compiled: CompiledOperation[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    if (only && !only.includes(template)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = mergedParameters(document, item.parameters, operation.parameters);
      const segments = template.split('/');
      compiled.push({
        method,
        template,
        pattern: new RegExp(
          `^${segments.map((segment) => (isTemplated(segment) ? '([^/]+)' : escapeRegExp(segment))).join('/')}/?$`,
          'i',
        ),
        pathNames: segments.filter(isTemplated).map((segment) => segment.slice(1, -1)),
        specificity: segments.map((segment) => (isTemplated(segment) ? 0 : 1)),
        path: parameterAjv.compile(
          objectSchema(
            parameters.filter((p) => p.in === 'path'),
            true,
          ),
        ),
        query: parameterAjv.compile(
          objectSchema(
            parameters.filter((p) => p.in === 'query'),
            false,
          ),
        ),
        ...bodyOf(document, operation.requestBody),
      });
    }
  }
  return compiled;
}

function mergedParameters(document: OpenApiDocument, ...lists: (object[] | undefined)[]): OpenApiParameter[] {
  const byKey = new Map<string, OpenApiParameter>();
  for (const list of lists) {
    for (const entry of list ?? []) {
      const parameter = dereference(document, entry) as OpenApiParameter;
      byKey.set(`${parameter.in}:${parameter.name}`, parameter);
    }
  }
  return [...byKey.values()];
}

function objectSchema(parameters: OpenApiParameter[], allRequired: boolean): object {
  return {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema ?? {}])),
    required: parameters.filter((p) => allRequired || p.required).map((p) => p.name),
  };
}

function bodyOf(document: OpenApiDocument, requestBody: object | undefined): Pick<CompiledOperation, 'body'> {
  if (!requestBody) return {};
  const body = dereference(document, requestBody) as {
    required?: boolean;
    content?: Record<string, { schema?: { title?: string } }>;
  };
  const schema = body.content?.['application/json']?.schema;
  if (!schema) return {};
  return {
    body: {
      validate: bodyAjv.compile(schema),
      title: schema.title ?? 'body',
      required: body.required === true,
    },
  };
}

function findOperation(
  operations: CompiledOperation[],
  method: string,
  path: string,
): { operation: CompiledOperation; segments: string[] } | undefined {
  let best: { operation: CompiledOperation; segments: string[] } | undefined;
  for (const operation of operations) {
    if (operation.method !== method) continue;
    const match = operation.pattern.exec(path);
    if (!match) continue;
    if (!best || moreSpecific(operation.specificity, best.operation.specificity)) {
      best = { operation, segments: match.slice(1) };
    }
  }
  return best;
}

function moreSpecific(a: number[], b: number[]): boolean {
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) {
    if (a[index] !== b[index]) return (a[index] ?? 0) > (b[index] ?? 0);
  }
  return false;
}

function pathIssues(operation: CompiledOperation, segments: string[]): ValidationIssue[] {
  const values: Record<string, string> = {};
  const issues: ValidationIssue[] = [];
  operation.pathNames.forEach((name, index) => {
    const raw = segments[index] ?? '';
    try {
      values[name] = decodeURIComponent(raw);
    } catch {
      issues.push({ path: `/path/${name}`, message: 'is not valid percent-encoding' });
    }
  });
  const undecodable = new Set(issues.map((issue) => issue.path));
  const schemaIssues = parameterIssues(operation.path, values, '/path');
  return [...issues, ...schemaIssues.filter((issue) => !undecodable.has(issue.path))];
}

function parameterIssues(validate: ValidateFunction, values: object, basePath: string): ValidationIssue[] {
  if (validate(values)) return [];
  return issuesFromAjv(validate.errors, PATTERN_MESSAGES, basePath);
}

function bodyIssues(body: NonNullable<CompiledOperation['body']>, req: Request): ValidationIssue[] {
  const parsed: unknown = req.body;
  if (parsed === undefined || Buffer.isBuffer(parsed)) {
    // Not parsed (yet): a raw body is parsed and validated by its route; only its absence is ours to see.
    return body.required && !hasBody(req) ? [{ path: '', message: 'the body is required' }] : [];
  }
  if (body.validate(parsed)) return [];
  return issuesFromAjv(body.validate.errors, PATTERN_MESSAGES);
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function isTemplated(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
