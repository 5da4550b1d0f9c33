import type { ValidationIssue } from '../../shared/errors.js';
import {
  artifactKeyProblem,
  bucketProblem,
  functionNameProblem,
  handlerProblem,
} from '../lambda-runtime/lambda-naming.js';

/** One function behind one GET route. */
export interface ObservabilityEndpoint {
  /** The readable part of the function's name; the deployed name is derived from the owner (`ownedFunctionName`). */
  lambdaName: string;
  artifact: string;
  handler: string;
  /** The route below the resource's prefix, one entry per path part (default: the function name). */
  path: string[];
}

/** The `specific` block of an observability resource (thesis code 5.4), once validated. */
export interface ObservabilitySpecific {
  restApi: string;
  bucket: string;
  endpoints: ObservabilityEndpoint[];
}

const KEYS = ['restAPI', 'bucket', 'observabilityEndpoint'];
const ENDPOINT_KEYS = ['artifact', 'handler', 'lambdaName', 'path'];
const BASE = '/resource/specific';
const REST_API_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
/** An API Gateway path part without `{…}` variables (dmp adds its own `{proxy+}` below each route). */
const PATH_PART = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_PATH_PARTS = 8;
const MAX_ENDPOINTS = 20;

/**
 * Pure checks of `specific`: `restAPI`, `bucket`, and `observabilityEndpoint`
 * (one entry, or a list) of `{artifact, handler, lambdaName, path?}`. Function
 * names and routes are unique, and no route lies below another (removing a
 * route removes what is below it). `artifactProblem` says whether the data
 * product may run a (well-formed) artifact key (see `artifactPlacementProblem`).
 */
export function parseObservabilitySpecific(
  specific: Record<string, unknown>,
  artifactExtensions: readonly string[],
  artifactProblem: (key: string) => string | undefined,
): { value?: ObservabilitySpecific; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(specific)) {
    if (!KEYS.includes(key)) {
      issues.push({
        path: `${BASE}/${key}`,
        message: `unknown key "${key}"; observability resources take ${KEYS.join(', ')}`,
      });
    }
  }
  if (typeof specific.restAPI !== 'string' || !REST_API_NAME.test(specific.restAPI)) {
    const rule = 'the REST API name (1-128 letters, digits, "_", "." and "-"), created if missing';
    issues.push({
      path: `${BASE}/restAPI`,
      message:
        typeof specific.restAPI === 'string' && specific.restAPI !== ''
          ? `"${specific.restAPI.slice(0, 80)}" is not ${rule}`
          : `is required: ${rule}`,
    });
  }
  const bucket = bucketProblem(specific.bucket);
  if (bucket) issues.push({ path: `${BASE}/bucket`, message: bucket });

  const raw = specific.observabilityEndpoint;
  const listed = Array.isArray(raw);
  const entries: unknown[] = listed ? raw : raw === undefined ? [] : [raw];
  if (entries.length === 0) {
    issues.push({
      path: `${BASE}/observabilityEndpoint`,
      message: 'is required: one endpoint {artifact, handler, lambdaName}, or a non-empty list of them',
    });
  } else if (entries.length > MAX_ENDPOINTS) {
    issues.push({
      path: `${BASE}/observabilityEndpoint`,
      message: `must list at most ${MAX_ENDPOINTS} endpoints`,
    });
  }
  const endpoints: ObservabilityEndpoint[] = [];
  entries.slice(0, MAX_ENDPOINTS).forEach((entry, index) => {
    const at = listed ? `${BASE}/observabilityEndpoint/${index}` : `${BASE}/observabilityEndpoint`;
    const endpoint = parseEndpoint(entry, at, artifactExtensions, artifactProblem, issues);
    if (endpoint) endpoints.push(endpoint);
  });
  issues.push(...clashes(endpoints, listed));
  if (issues.length > 0) return { issues };
  return {
    value: { restApi: specific.restAPI as string, bucket: specific.bucket as string, endpoints },
    issues,
  };
}

function parseEndpoint(
  entry: unknown,
  at: string,
  artifactExtensions: readonly string[],
  artifactProblem: (key: string) => string | undefined,
  issues: ValidationIssue[],
): ObservabilityEndpoint | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    issues.push({ path: at, message: 'must be an object {artifact, handler, lambdaName, path?}' });
    return undefined;
  }
  const fields = entry as Record<string, unknown>;
  const before = issues.length;
  for (const key of Object.keys(fields)) {
    if (!ENDPOINT_KEYS.includes(key)) {
      issues.push({
        path: `${at}/${key}`,
        message: `unknown key "${key}"; an endpoint takes ${ENDPOINT_KEYS.join(', ')}`,
      });
    }
  }
  const problems: [string, string | undefined][] = [
    [
      'artifact',
      artifactKeyProblem(fields.artifact, artifactExtensions) ?? artifactProblem(fields.artifact as string),
    ],
    ['handler', handlerProblem(fields.handler)],
    ['lambdaName', functionNameProblem(fields.lambdaName)],
    ['path', fields.path === undefined ? undefined : routePathProblem(fields.path)],
  ];
  for (const [field, message] of problems) if (message) issues.push({ path: `${at}/${field}`, message });
  if (issues.length > before) return undefined;
  const lambdaName = fields.lambdaName as string;
  return {
    lambdaName,
    artifact: fields.artifact as string,
    handler: fields.handler as string,
    path: typeof fields.path === 'string' ? splitPath(fields.path) : [lambdaName],
  };
}

function routePathProblem(value: unknown): string | undefined {
  const advice = `path parts of letters, digits, "_", "." and "-" separated by "/" (at most ${MAX_PATH_PARTS}), such as quality/completeness`;
  if (typeof value !== 'string') return `must be a string: ${advice}`;
  const parts = splitPath(value);
  if (parts.length === 0 || parts.length > MAX_PATH_PARTS) return `must be ${advice}`;
  for (const part of parts) {
    if (part === '.' || part === '..' || !PATH_PART.test(part)) {
      return `"${part.slice(0, 80)}" is not allowed: ${advice}`;
    }
  }
  return undefined;
}

/** `/quality/completeness/` → [quality, completeness]; empty parts are kept so that `a//b` is refused. */
function splitPath(value: string): string[] {
  const trimmed = value.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

function clashes(endpoints: ObservabilityEndpoint[], listed: boolean): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const at = (index: number) => `${BASE}/observabilityEndpoint${listed ? `/${index}` : ''}`;
  endpoints.forEach((endpoint, index) => {
    const earlier = endpoints.slice(0, index);
    if (earlier.some((other) => other.lambdaName === endpoint.lambdaName)) {
      issues.push({
        path: `${at(index)}/lambdaName`,
        message: `${endpoint.lambdaName} is listed more than once`,
      });
    }
    const route = endpoint.path.join('/');
    const overlapping = earlier.find(
      (other) => isWithin(other.path, endpoint.path) || isWithin(endpoint.path, other.path),
    );
    if (overlapping) {
      issues.push({
        path: `${at(index)}/path`,
        message: `route ${route} overlaps the route ${overlapping.path.join('/')} of ${overlapping.lambdaName}; routes must be distinct and not below one another`,
      });
    }
  });
  return issues;
}

/** Whether `inner` is `outer` or a path below it. */
function isWithin(outer: readonly string[], inner: readonly string[]): boolean {
  return outer.length <= inner.length && outer.every((part, index) => inner[index] === part);
}
