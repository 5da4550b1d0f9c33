import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_TABLE } from '../../shared/auth/dynamo-token-store.js';
import { RemoteTokenVerifier } from '../../shared/auth/verifiers.js';
import type { RunningServer } from '../../shared/http/serve.js';
import {
  type ApiGatewayEvent,
  createLambdaHandler,
  LambdaSelfInvokeRunner,
  type ResourceJobEvent,
} from '../../shared/microservice/lambda-handler.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import { ResourceUseCases } from '../../shared/microservice/resource-use-cases.js';
import { StateClient } from '../../shared/state/state-client.js';
import { startStateService } from '../../state-service/start-state-service.js';
import { DEFAULT_STATE_TABLES } from '../../state-service/store/state-tables.js';
import { issueTestTokens, type TestTokens } from '../support/auth.js';
import { GatedProvisioner } from '../support/gated-provisioner.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';
import { deployWrite } from '../support/state-writes.js';

const FUNCTION_NAME = 'dmp-gated';
const ref = { environment: 'test', domain: 'sales', name: 'lambda-orders', version: '1.0.0' };

let stack: TestStack;
let tokens: TestTokens;
let stateService: RunningServer;
let state: StateClient;
let handler: ReturnType<typeof createLambdaHandler>;
const gated = new GatedProvisioner();
const lambda = mockClient(LambdaClient);

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await issueTestTokens(stack);
  stateService = await startStateService(
    {
      host: '127.0.0.1',
      port: 0,
      dynamoDbEndpoint: stack.dynamoDbEndpoint,
      tables: DEFAULT_STATE_TABLES,
      createTables: true,
      tokenTable: DEFAULT_TOKEN_TABLE,
      auth: { tokenCacheMs: 0 },
    },
    silentLogger,
  );
  state = new StateClient(stateService.url, { token: tokens.provisioner, attempts: 1 });
  const useCases = new ResourceUseCases(
    gated,
    new StateClient(stateService.url, { token: tokens.gatedService, attempts: 1 }),
    new LambdaSelfInvokeRunner(new LambdaClient({ region: 'us-east-1' }), FUNCTION_NAME),
    silentLogger,
  );
  handler = createLambdaHandler(useCases, new RemoteTokenVerifier(stateService.url));
});

afterAll(async () => {
  lambda.restore();
  await stateService?.close();
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
});

beforeEach(() => {
  lambda.reset();
  gated.release();
});

function call(
  httpMethod: string,
  path: string,
  body?: unknown,
  token: string | null = tokens.provisioner,
): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const event: ApiGatewayEvent = {
    httpMethod,
    path,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
  };
  return handler(event).then((result) => ({
    statusCode: result?.statusCode ?? 0,
    body: JSON.parse(result?.body ?? 'null'),
  }));
}

function resourceRequest(name: string, specific: Record<string, unknown> = {}): ResourceRequest {
  return {
    operationId: 'op-1',
    dataProduct: ref,
    descriptor: {
      ...ref,
      environment: { name: ref.environment, specific: {} },
      outputPorts: [],
      workloads: [],
      observability: [],
    } as unknown as ResourceRequest['descriptor'],
    resource: {
      kind: 'outputPort',
      name,
      type: 'files',
      technology: 'gated',
      owner: 'sales-owner',
      allow: [],
      dependsOn: [],
      specific,
    },
    removeData: false,
    attempt: 1,
  };
}

describe('the microservice as a Lambda behind API Gateway', () => {
  it('answers /healthz to anyone and every contract route only to the provisioner', async () => {
    expect((await call('GET', '/healthz', undefined, null)).statusCode).toBe(200);
    expect((await call('GET', '/v1/capabilities', undefined, null)).statusCode).toBe(401);
    expect((await call('GET', '/v1/capabilities', undefined, tokens.salesDeployer)).statusCode).toBe(403);
    expect((await call('GET', '/v1/capabilities', undefined, 'dmp_nobody_secret')).statusCode).toBe(401);
  });

  it('serves the capabilities the provisioner reads immutable fields from', async () => {
    const answer = await call('GET', '/v1/capabilities');
    expect(answer).toEqual({
      statusCode: 200,
      body: { technologies: ['gated'], immutableSpecific: ['location'] },
    });
  });

  it('checks one resource, and several at once, as the HTTP service does', async () => {
    const valid = await call('POST', '/v1/dataproduct/resource/validate', resourceRequest('a'));
    expect(valid).toEqual({ statusCode: 200, body: { valid: true } });
    const invalid = await call(
      'POST',
      '/v1/dataproduct/resource/validate',
      resourceRequest('a', { invalid: true }),
    );
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body.errors).toEqual([
      { path: '/resource/specific/invalid', message: 'invalid on purpose' },
    ]);

    const { dataProduct, descriptor } = resourceRequest('a');
    const batch = await call('POST', '/v1/dataproduct/resources/validate', {
      dataProduct,
      descriptor,
      resources: [resourceRequest('a').resource, resourceRequest('b', { invalid: true }).resource],
    });
    expect(batch).toEqual({
      statusCode: 200,
      body: {
        results: [
          { resource: 'a', errors: [] },
          { resource: 'b', errors: [{ path: '/resource/specific/invalid', message: 'invalid on purpose' }] },
        ],
      },
    });
  });

  it('accepts a resource with 202 after its transit write, hands the work to an Event invocation of itself, and that invocation reports CREATED', async () => {
    await state.writeDataProduct(deployWrite(ref, [{ name: 'raw', technology: 'gated' }]));
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    const accepted = await call('POST', '/v1/dataproduct/resource', resourceRequest('raw'));

    expect(accepted).toEqual({
      statusCode: 202,
      body: { operationId: 'op-1', resource: 'raw', state: 'CREATING' },
    });
    expect((await state.getResource(ref, 'raw'))?.state).toBe('CREATING');
    const invocations = lambda.commandCalls(InvokeCommand);
    expect(invocations).toHaveLength(1);
    const input = invocations[0]?.args[0].input;
    expect(input?.FunctionName).toBe(FUNCTION_NAME);
    expect(input?.InvocationType).toBe('Event');
    const job = JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array)) as ResourceJobEvent;
    expect(job.dmpResourceJob).toMatchObject({ method: 'POST', request: { resource: { name: 'raw' } } });

    expect(await handler(job)).toBeUndefined();
    expect((await state.getResource(ref, 'raw'))?.state).toBe('CREATED');
    expect(gated.callsOf('raw', 'POST')).toHaveLength(1);
  });

  it('refuses bad input with 4xx and the one error shape, and writes nothing', async () => {
    expect((await call('POST', '/v1/dataproduct/resource', '{not json')).statusCode).toBe(400);
    const tooLarge = await call('POST', '/v1/dataproduct/resource', `"${'x'.repeat(1024 * 1024)}"`);
    expect(tooLarge.statusCode).toBe(413);
    const unknownField = await call('POST', '/v1/dataproduct/resource', {
      ...resourceRequest('x'),
      extra: 1,
    });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.body).toMatchObject({ error: 'ValidationError' });
    const deep = {
      ...resourceRequest('x'),
      descriptor: JSON.parse(`${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`),
    };
    const tooDeep = await call('POST', '/v1/dataproduct/resource', deep);
    expect(tooDeep.statusCode).toBe(400);
    expect(tooDeep.body).toMatchObject({ error: 'ValidationError', message: 'The body nests too deeply' });
    expect((await call('PATCH', '/v1/dataproduct/resource', {})).statusCode).toBe(404);
    expect((await call('GET', '/v1/dataproduct/elsewhere')).statusCode).toBe(404);
    expect(await state.getResource(ref, 'x')).toBeUndefined();
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('decodes a base64 body and finds its route behind a base path', async () => {
    const encoded = Buffer.from(JSON.stringify(resourceRequest('a'))).toString('base64');
    const result = await handler({
      httpMethod: 'POST',
      path: '/gated/v1/dataproduct/resource/validate',
      headers: { authorization: `Bearer ${tokens.provisioner}` },
      body: encoded,
      isBase64Encoded: true,
    });
    expect(result).toMatchObject({ statusCode: 200 });
    expect(JSON.parse(result?.body ?? '')).toEqual({ valid: true });
  });
});
