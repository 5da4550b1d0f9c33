import type { IncomingHttpHeaders } from 'node:http';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { LOCAL_ACCOUNT_ID } from './local-function-host.js';
import type { LocalRoute } from './local-route-table.js';
import { PROXY_PART } from './route-paths.js';

/**
 * What API Gateway's Lambda proxy integration (REST APIs, payload v1) does,
 * as pure functions: find the route of a request, build the event the
 * function receives, and turn the function's answer into an HTTP response.
 */

export interface RouteMatch {
  route: LocalRoute;
  /** The part of the path below the route (the `{proxy+}` parameter); undefined when the route itself was asked for. */
  proxy?: string;
}

/** The route whose path is the longest prefix (by whole segments) of the requested path. */
export function matchRoute(
  routes: readonly LocalRoute[],
  restApiId: string,
  stage: string,
  segments: readonly string[],
): RouteMatch | undefined {
  let best: { route: LocalRoute; length: number } | undefined;
  for (const route of routes) {
    if (route.restApiId !== restApiId || route.stage !== stage) continue;
    const parts = route.path.split('/');
    if (parts.length > segments.length || parts.some((part, index) => part !== segments[index])) continue;
    if (!best || parts.length > best.length) best = { route, length: parts.length };
  }
  if (!best) return undefined;
  const rest = segments.slice(best.length);
  return rest.length === 0 ? { route: best.route } : { route: best.route, proxy: rest.join('/') };
}

export interface ProxyRequest {
  /** Decoded path segments after `/{restApiId}/{stage}`. */
  segments: readonly string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  sourceIp: string;
  requestId: string;
  now: number;
}

export function proxyEventOf(match: RouteMatch, request: ProxyRequest) {
  const resource = match.proxy === undefined ? `/${match.route.path}` : `/${match.route.path}/${PROXY_PART}`;
  const path = `/${request.segments.join('/')}`;
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    multiValueHeaders[name] = Array.isArray(value) ? value : [value];
  }
  const multiValueQuery: Record<string, string[]> = {};
  for (const [name, value] of request.query) {
    multiValueQuery[name] = [...(multiValueQuery[name] ?? []), value];
  }
  const lastOf = (values: Record<string, string[]>) =>
    Object.keys(values).length === 0
      ? null
      : Object.fromEntries(Object.entries(values).map(([name, list]) => [name, list.at(-1) as string]));
  return {
    resource,
    path,
    httpMethod: 'GET',
    headers: lastOf(multiValueHeaders),
    multiValueHeaders,
    queryStringParameters: lastOf(multiValueQuery),
    multiValueQueryStringParameters: Object.keys(multiValueQuery).length === 0 ? null : multiValueQuery,
    pathParameters: match.proxy === undefined ? null : { proxy: match.proxy },
    stageVariables: null,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: match.route.restApiId,
      resourcePath: resource,
      stage: match.route.stage,
      httpMethod: 'GET',
      path: `/${match.route.stage}${path}`,
      protocol: 'HTTP/1.1',
      requestId: request.requestId,
      requestTimeEpoch: request.now,
      identity: { sourceIp: request.sourceIp, userAgent: request.headers['user-agent'] ?? null },
    },
    body: null,
    isBase64Encoded: false,
  };
}

export type ProxyResponse =
  | { ok: true; status: number; headers: Record<string, string | string[]>; body: Buffer }
  | { ok: false; problem: string };

/** Headers the server computes itself; a function's values for them would corrupt the response. */
const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/** `{statusCode, headers, multiValueHeaders, body, isBase64Encoded}`, checked as API Gateway checks it (it answers 502 otherwise). */
export function proxyResponseOf(payload: unknown): ProxyResponse {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return { ok: false, problem: 'the function did not answer an object with statusCode' };
  }
  const answer = payload as Record<string, unknown>;
  const status = answer.statusCode;
  // 1xx are interim answers: the client would wait for a final one that never comes.
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
    return { ok: false, problem: 'statusCode must be an integer between 200 and 599' };
  }
  if (answer.body !== undefined && answer.body !== null && typeof answer.body !== 'string') {
    return { ok: false, problem: 'body must be a string' };
  }
  if (answer.isBase64Encoded !== undefined && typeof answer.isBase64Encoded !== 'boolean') {
    return { ok: false, problem: 'isBase64Encoded must be a boolean' };
  }
  const headers: Record<string, string | string[]> = {};
  for (const [field, multi] of [
    ['multiValueHeaders', true],
    ['headers', false],
  ] as const) {
    const value = answer[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value))
      return { ok: false, problem: `${field} must be an object` };
    for (const [name, raw] of Object.entries(value)) {
      const values = multi && Array.isArray(raw) ? raw : [raw];
      if (!values.every((item) => ['string', 'number', 'boolean'].includes(typeof item))) {
        return { ok: false, problem: `${field}.${name} must be ${multi ? 'a list of strings' : 'a string'}` };
      }
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower)) continue;
      if (!isValidHeader(lower, values.map(String))) {
        return {
          ok: false,
          problem: `${field}.${JSON.stringify(name.slice(0, 100))} is not a valid HTTP header`,
        };
      }
      headers[lower] = multi ? values.map(String) : String(values[0]);
    }
  }
  const text = (answer.body as string | undefined | null) ?? '';
  return {
    ok: true,
    status,
    headers,
    body: answer.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

/** Node refuses to send an invalid header name or a value with CR/LF; a function's answer must not get that far. */
function isValidHeader(name: string, values: readonly string[]): boolean {
  try {
    validateHeaderName(name);
    for (const value of values) validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}
