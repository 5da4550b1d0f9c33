import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { authorize } from '../auth/access-rules.js';
import type { TokenVerifier } from '../auth/token-service.js';
import { UnauthorizedError } from '../errors.js';
import { bearerOf } from '../http/authenticate.js';
import { toHttpError } from '../http/error-handler.js';
import type { ResourceMethod } from '../state/lifecycle.js';
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

const METHODS: readonly string[] = ['POST', 'PUT', 'DELETE'];
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A microservice as a Lambda behind API Gateway: the synchronous invocation
 * validates and answers 202 through the same use case as the HTTP service;
 * the work runs in an asynchronous invocation of the same function (the
 * thesis' sync and async lambdas, as one artifact).
 */
export function createLambdaHandler(useCases: ResourceUseCases, verifier: TokenVerifier) {
  return async (event: ApiGatewayEvent | ResourceJobEvent): Promise<ApiGatewayResult | undefined> => {
    if ('dmpResourceJob' in event) {
      await useCases.work(event.dmpResourceJob);
      return undefined;
    }
    if (event.httpMethod === 'GET' && event.path.endsWith('/healthz')) return json(200, { status: 'ok' });
    if (!event.path.endsWith('/v1/dataproduct/resource') || !METHODS.includes(event.httpMethod)) {
      return json(404, { error: 'NotFound', message: `no route for ${event.httpMethod} ${event.path}` });
    }
    try {
      const header = Object.entries(event.headers ?? {}).find(
        ([name]) => name.toLowerCase() === 'authorization',
      )?.[1];
      const token = bearerOf(header);
      if (!token) throw new UnauthorizedError('send Authorization: Bearer <token>');
      authorize(await verifier.verify(token), 'call-microservice');
    } catch (error) {
      const { status, body: errorBody } = toHttpError(error);
      return json(status, errorBody);
    }
    const text = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : (event.body ?? '');
    if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
      return json(413, { error: 'PayloadTooLarge', message: 'the request body is larger than the limit' });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return json(400, {
        error: 'ValidationError',
        message: 'The body is not valid JSON',
        errors: [{ path: '', message: 'the body is not valid JSON' }],
      });
    }
    try {
      return json(202, await useCases.accept(event.httpMethod as ResourceMethod, body));
    } catch (error) {
      const { status, body: errorBody } = toHttpError(error);
      if (status >= 500) console.error(error);
      return json(status, errorBody);
    }
  };
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
