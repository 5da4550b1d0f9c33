import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { authorize } from '../auth/access-rules.js';
import type { TokenVerifier } from '../auth/token-service.js';
import { UnauthorizedError } from '../errors.js';
import { bearerOf } from '../http/authenticate.js';
import { BODY_NOT_JSON, BODY_TOO_LARGE, toHttpError } from '../http/error-handler.js';
import { nestsDeeperThan, tooDeepError } from '../http/json-depth.js';
import type { ResourceUseCases } from './resource-use-cases.js';
import type { ResourceJob, WorkRunner } from './work-runner.js';

/** The fields of an API Gateway (REST, proxy integration) event that the handler reads. */
export interface ApiGatewayEvent {
  httpMethod: string;
  path: string;
  headers?: Record<string, string | undefined> | null;
  body: string | null;
  isBase64Encoded?: boolean;
}

export interface ApiGatewayResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The event of the asynchronous invocation that carries the work of an accepted request. */
export interface ResourceJobEvent {
  dmpResourceJob: ResourceJob;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** What a route does with the parsed JSON body (undefined for a GET); the answer's status and body. */
type RouteAction = (useCases: ResourceUseCases, body: unknown) => Promise<[number, unknown]>;

/** The microservice contract, route by route, as the HTTP service serves it (`resource-service-app.ts`). */
const ROUTES: Record<string, RouteAction> = {
  'GET /v1/capabilities': async (useCases) => [200, useCases.capabilities()],
  'POST /v1/dataproduct/resource/validate': async (useCases, body) => [200, useCases.check(body)],
  'POST /v1/dataproduct/resources/validate': async (useCases, body) => [200, useCases.checkAll(body)],
  'POST /v1/dataproduct/resource': async (useCases, body) => [202, await useCases.accept('POST', body)],
  'PUT /v1/dataproduct/resource': async (useCases, body) => [202, await useCases.accept('PUT', body)],
  'DELETE /v1/dataproduct/resource': async (useCases, body) => [202, await useCases.accept('DELETE', body)],
};

/**
 * A microservice as a Lambda behind API Gateway: the synchronous invocation
 * answers every route of the contract through the same use cases as the HTTP
 * service (only the provisioner's credential is let in, `/healthz` aside); an
 * accepted resource's work runs in an asynchronous invocation of the same
 * function (the thesis' sync and async lambdas, as one artifact).
 */
export function createLambdaHandler(useCases: ResourceUseCases, verifier: TokenVerifier) {
  return async (event: ApiGatewayEvent | ResourceJobEvent): Promise<ApiGatewayResult | undefined> => {
    if ('dmpResourceJob' in event) {
      await useCases.work(event.dmpResourceJob);
      return undefined;
    }
    if (event.httpMethod === 'GET' && event.path.endsWith('/healthz')) return json(200, { status: 'ok' });
    const action = routeOf(event.httpMethod, event.path);
    if (!action) {
      return json(404, { error: 'NotFound', message: `no route for ${event.httpMethod} ${event.path}` });
    }
    try {
      const header = Object.entries(event.headers ?? {}).find(
        ([name]) => name.toLowerCase() === 'authorization',
      )?.[1];
      const token = bearerOf(header);
      if (!token) throw new UnauthorizedError('send Authorization: Bearer <token>');
      authorize(await verifier.verify(token), 'call-microservice');
      const parsed = event.httpMethod === 'GET' ? { body: undefined } : parseBody(event);
      if ('error' in parsed) return parsed.error;
      const [status, answer] = await action(useCases, parsed.body);
      return json(status, answer);
    } catch (error) {
      const { status, body: errorBody } = toHttpError(error);
      if (status >= 500) console.error(error);
      return json(status, errorBody);
    }
  };
}

/** The route a path ends with: API Gateway may put a base path (a custom domain's mapping) before it. */
function routeOf(method: string, path: string): RouteAction | undefined {
  const route = Object.keys(ROUTES).find((key) => {
    const [routeMethod, routePath] = key.split(' ') as [string, string];
    return routeMethod === method && path.endsWith(routePath);
  });
  return route ? ROUTES[route] : undefined;
}

function parseBody(event: ApiGatewayEvent): { body: unknown } | { error: ApiGatewayResult } {
  const text = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    return { error: json(BODY_TOO_LARGE.status, BODY_TOO_LARGE.body) };
  if (nestsDeeperThan(text)) throw tooDeepError();
  try {
    return { body: JSON.parse(text) };
  } catch {
    return { error: json(BODY_NOT_JSON.status, BODY_NOT_JSON.body) };
  }
}

/** Hands each job to an asynchronous (`Event`) invocation of this same function. */
export class LambdaSelfInvokeRunner implements WorkRunner {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async run(job: ResourceJob): Promise<void> {
    const event: ResourceJobEvent = { dmpResourceJob: job };
    await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
    );
  }
}

function json(statusCode: number, body: unknown): ApiGatewayResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
