import { describe, expect, it } from 'vitest';
import {
  matchRoute,
  proxyEventOf,
  proxyResponseOf,
} from '../../microservices/lambda-runtime/api-gateway-proxy.js';
import type { LocalRoute } from '../../microservices/lambda-runtime/local-route-table.js';

const route = (path: string, functionName: string, stage = 'v1'): LocalRoute => ({
  routeKey: `api/${stage}/${path}`,
  restApi: 'sales',
  restApiId: 'api',
  stage,
  path,
  functionName,
  functionArn: `arn:${functionName}`,
  updatedAt: '',
});
const routes = [route('orders', 'orders'), route('orders/status', 'status'), route('orders', 'old', 'v0')];

describe('matchRoute', () => {
  it('picks the longest route that is a whole-segment prefix, on the same API and stage', () => {
    expect(matchRoute(routes, 'api', 'v1', ['orders', 'status'])?.route.functionName).toBe('status');
    expect(matchRoute(routes, 'api', 'v1', ['orders', 'status', 'dq'])).toMatchObject({
      route: { functionName: 'status' },
      proxy: 'dq',
    });
    expect(matchRoute(routes, 'api', 'v1', ['orders', 'statusx'])).toMatchObject({
      route: { functionName: 'orders' },
      proxy: 'statusx',
    });
    expect(matchRoute(routes, 'api', 'v0', ['orders'])?.route.functionName).toBe('old');
    expect(matchRoute(routes, 'api', 'v2', ['orders'])).toBeUndefined();
    expect(matchRoute(routes, 'other', 'v1', ['orders'])).toBeUndefined();
    expect(matchRoute(routes, 'api', 'v1', ['order'])).toBeUndefined();
  });
});

describe('proxyEventOf', () => {
  it('builds a REST API proxy event (v1) with single- and multi-value headers and query', () => {
    const event = proxyEventOf(
      { route: routes[1] as LocalRoute, proxy: 'dq/x' },
      {
        segments: ['orders', 'status', 'dq', 'x'],
        query: new URLSearchParams('a=1&a=2&b=3'),
        headers: { accept: 'application/json', 'x-many': ['1', '2'] },
        sourceIp: '127.0.0.1',
        requestId: 'req-1',
        now: 1000,
      },
    );
    expect(event).toMatchObject({
      resource: '/orders/status/{proxy+}',
      path: '/orders/status/dq/x',
      httpMethod: 'GET',
      headers: { accept: 'application/json', 'x-many': '2' },
      multiValueHeaders: { accept: ['application/json'], 'x-many': ['1', '2'] },
      queryStringParameters: { a: '2', b: '3' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['3'] },
      pathParameters: { proxy: 'dq/x' },
      requestContext: { stage: 'v1', path: '/v1/orders/status/dq/x', requestId: 'req-1', apiId: 'api' },
      body: null,
      isBase64Encoded: false,
    });
  });
});

describe('proxyResponseOf', () => {
  it('maps status, headers and a (base64) body', () => {
    const answer = proxyResponseOf({
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'Content-Length': '999', 'X-Count': 3 },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: Buffer.from('hi').toString('base64'),
      isBase64Encoded: true,
    });
    expect(answer).toEqual({
      ok: true,
      status: 201,
      headers: { 'content-type': 'text/plain', 'x-count': '3', 'set-cookie': ['a=1', 'b=2'] },
      body: Buffer.from('hi'),
    });
  });

  it.each([
    ['a string', 'hello'],
    ['no statusCode', { body: 'x' }],
    ['a statusCode out of range', { statusCode: 99 }],
    ['a body that is not a string', { statusCode: 200, body: { a: 1 } }],
    ['headers that are not an object', { statusCode: 200, headers: 'x' }],
    ['a header that is an object', { statusCode: 200, headers: { a: { b: 1 } } }],
    ['an interim 1xx status, which leaves the client waiting', { statusCode: 100 }],
    ['a switching-protocols status', { statusCode: 101 }],
    ['a header name Node will not send', { statusCode: 200, headers: { 'bad name': 'x' } }],
    ['a header value with CR LF', { statusCode: 200, headers: { 'x-a': 'one\r\nx-b: two' } }],
    ['a multi-value header with CR LF', { statusCode: 200, multiValueHeaders: { 'x-a': ['ok', 'a\nb'] } }],
  ])('refuses %s', (_case, payload) => {
    expect(proxyResponseOf(payload)).toMatchObject({ ok: false });
  });
});
