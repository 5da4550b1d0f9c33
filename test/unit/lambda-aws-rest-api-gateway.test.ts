import {
  APIGatewayClient,
  ConflictException,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteResourceCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  type Method,
  NotFoundException,
  PutIntegrationCommand,
  PutMethodCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-api-gateway';
import {
  AddPermissionCommand,
  LambdaClient,
  RemovePermissionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsRestApiGateway } from '../../microservices/lambda-runtime/aws-rest-api-gateway.js';
import { invokeStatementId } from '../../microservices/lambda-runtime/route-paths.js';
import { ValidationError } from '../../shared/errors.js';

const apiGateway = mockClient(APIGatewayClient);
const lambda = mockClient(LambdaClient);
const meta = { $metadata: {} };

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-status';
const URI = `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`;
const route = {
  restApi: 'sales-orders',
  pathParts: ['orders', 'status'],
  functionName: 'orders-status',
  functionArn: FUNCTION_ARN,
};
const STATEMENT = invokeStatementId('sales-orders', ['orders', 'status']);

const gateway = () =>
  new AwsRestApiGateway(new APIGatewayClient({}), new LambdaClient({}), {
    region: 'eu-west-1',
    stage: 'v1',
    throttleDelayMs: 0,
    sleep: async () => {},
  });

/** Every command sent to either client, in order (each mock keeps its own order; the clients are called in turn). */
const apiCalls = () =>
  apiGateway.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
    return [command.constructor.name.replace('Command', ''), command.input] as const;
  });

const integrated: Record<string, Method> = {
  GET: { httpMethod: 'GET', methodIntegration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: URI } },
};

beforeEach(() => {
  apiGateway.reset();
  lambda.reset();
});

describe('AwsRestApiGateway.publish', () => {
  it('creates the API, every path part, the GET methods, the Lambda proxy integrations, the permission, then deploys', async () => {
    apiGateway.on(GetRestApisCommand).resolves({ items: [{ id: 'other', name: 'other-api' }] });
    apiGateway.on(CreateRestApiCommand).resolves({ id: 'api1' });
    apiGateway.on(GetResourcesCommand).resolves({ items: [{ id: 'root', path: '/' }] });
    apiGateway
      .on(CreateResourceCommand, { pathPart: 'orders' })
      .resolves({ id: 'r-orders', path: '/orders' })
      .on(CreateResourceCommand, { pathPart: 'status' })
      .resolves({ id: 'r-status', path: '/orders/status' })
      .on(CreateResourceCommand, { pathPart: '{proxy+}' })
      .resolves({ id: 'r-proxy', path: '/orders/status/{proxy+}' });
    apiGateway.on(PutMethodCommand).resolves({});
    apiGateway.on(PutIntegrationCommand).resolves({});
    apiGateway.on(CreateDeploymentCommand).resolves({ id: 'd1' });
    lambda.on(AddPermissionCommand).resolves({});

    const published = await gateway().publish(route);

    expect(published).toEqual({
      restApiId: 'api1',
      url: 'https://api1.execute-api.eu-west-1.amazonaws.com/v1/orders/status',
    });
    const integration = (resourceId: string) => ({
      restApiId: 'api1',
      resourceId,
      httpMethod: 'GET',
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri: URI,
    });
    const method = (resourceId: string) => ({
      restApiId: 'api1',
      resourceId,
      httpMethod: 'GET',
      authorizationType: 'NONE',
    });
    expect(apiCalls()).toEqual([
      ['GetRestApis', { limit: 500, position: undefined }],
      [
        'CreateRestApi',
        {
          name: 'sales-orders',
          description: 'Created by dmp',
          endpointConfiguration: { types: ['REGIONAL'] },
        },
      ],
      ['GetResources', { restApiId: 'api1', limit: 500, position: undefined, embed: ['methods'] }],
      ['CreateResource', { restApiId: 'api1', parentId: 'root', pathPart: 'orders' }],
      ['CreateResource', { restApiId: 'api1', parentId: 'r-orders', pathPart: 'status' }],
      ['CreateResource', { restApiId: 'api1', parentId: 'r-status', pathPart: '{proxy+}' }],
      ['PutMethod', method('r-status')],
      ['PutIntegration', integration('r-status')],
      ['PutMethod', method('r-proxy')],
      ['PutIntegration', integration('r-proxy')],
      ['CreateDeployment', { restApiId: 'api1', stageName: 'v1', description: 'dmp: publish orders/status' }],
    ]);
    expect(lambda.commandCalls(AddPermissionCommand).map((call) => call.args[0].input)).toEqual([
      {
        FunctionName: 'orders-status',
        StatementId: STATEMENT,
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: 'arn:aws:execute-api:eu-west-1:123456789012:api1/*/GET/orders/status*',
      },
    ]);
    // The permission is granted before the deployment makes the route reachable.
    const callIdOf = (call: unknown) => (call as { callId?: number } | undefined)?.callId;
    const permissionAt = callIdOf(lambda.commandCalls(AddPermissionCommand)[0]) ?? Number.POSITIVE_INFINITY;
    const deployAt =
      callIdOf(apiGateway.commandCalls(CreateDeploymentCommand)[0]) ?? Number.NEGATIVE_INFINITY;
    expect(permissionAt).toBeLessThan(deployAt);
  });

  it('re-publishing finds everything and creates nothing twice (it deploys again)', async () => {
    apiGateway
      .on(GetRestApisCommand)
      .resolvesOnce({ items: [{ id: 'x', name: 'unrelated' }], position: 'page2' })
      .resolves({ items: [{ id: 'api1', name: 'sales-orders' }] });
    apiGateway.on(GetResourcesCommand).resolves({
      items: [
        { id: 'root', path: '/' },
        { id: 'r-orders', path: '/orders' },
        { id: 'r-status', path: '/orders/status', resourceMethods: integrated },
        { id: 'r-proxy', path: '/orders/status/{proxy+}', resourceMethods: integrated },
      ],
    });
    apiGateway.on(CreateDeploymentCommand).resolves({ id: 'd2' });
    lambda.on(AddPermissionCommand).rejects(new ResourceConflictException({ message: 'exists', ...meta }));

    await gateway().publish(route);

    expect(apiCalls().map(([name]) => name)).toEqual([
      'GetRestApis',
      'GetRestApis',
      'GetResources',
      'CreateDeployment',
    ]);
    expect(apiCalls()[1]?.[1]).toEqual({ limit: 500, position: 'page2' });
  });

  it('keeps an existing method but replaces an integration that points elsewhere', async () => {
    apiGateway.on(GetRestApisCommand).resolves({ items: [{ id: 'api1', name: 'sales-orders' }] });
    const stale: Record<string, Method> = {
      GET: {
        httpMethod: 'GET',
        methodIntegration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: 'arn:old' },
      },
    };
    apiGateway.on(GetResourcesCommand).resolves({
      items: [
        { id: 'root', path: '/' },
        { id: 'r-orders', path: '/orders' },
        { id: 'r-status', path: '/orders/status', resourceMethods: stale },
        { id: 'r-proxy', path: '/orders/status/{proxy+}', resourceMethods: integrated },
      ],
    });
    apiGateway.on(PutIntegrationCommand).resolves({});
    apiGateway.on(CreateDeploymentCommand).resolves({});
    lambda.on(AddPermissionCommand).resolves({});

    await gateway().publish(route);

    expect(apiGateway.commandCalls(PutMethodCommand)).toHaveLength(0);
    expect(
      apiGateway.commandCalls(PutIntegrationCommand).map((call) => call.args[0].input.resourceId),
    ).toEqual(['r-status']);
  });

  it('uses the oldest REST API when several have the name, and reuses a resource created concurrently', async () => {
    apiGateway.on(GetRestApisCommand).resolves({
      items: [
        { id: 'newer', name: 'sales-orders', createdDate: new Date('2024-02-01') },
        { id: 'older', name: 'sales-orders', createdDate: new Date('2024-01-01') },
      ],
    });
    apiGateway
      .on(GetResourcesCommand)
      .resolvesOnce({ items: [{ id: 'root', path: '/' }] })
      .resolves({
        items: [
          { id: 'root', path: '/' },
          { id: 'r-theirs', path: '/orders' },
        ],
      });
    apiGateway
      .on(CreateResourceCommand, { pathPart: 'orders' })
      .rejects(
        new ConflictException({
          message: 'Another resource with the same parent already has this name',
          ...meta,
        }),
      )
      .on(CreateResourceCommand, { pathPart: 'status' })
      .resolves({ id: 'r-status', path: '/orders/status' })
      .on(CreateResourceCommand, { pathPart: '{proxy+}' })
      .resolves({ id: 'r-proxy', path: '/orders/status/{proxy+}' });
    apiGateway.on(PutMethodCommand).resolves({});
    apiGateway.on(PutIntegrationCommand).resolves({});
    apiGateway.on(CreateDeploymentCommand).resolves({});
    lambda.on(AddPermissionCommand).resolves({});

    const published = await gateway().publish(route);

    expect(published.restApiId).toBe('older');
    expect(apiGateway.commandCalls(CreateRestApiCommand)).toHaveLength(0);
    expect(apiGateway.commandCalls(CreateResourceCommand)[1]?.args[0].input).toEqual({
      restApiId: 'older',
      parentId: 'r-theirs',
      pathPart: 'status',
    });
  });

  it('waits and deploys again when API Gateway throttles the deployment', async () => {
    apiGateway.on(GetRestApisCommand).resolves({ items: [{ id: 'api1', name: 'sales-orders' }] });
    apiGateway.on(GetResourcesCommand).resolves({
      items: [
        { id: 'root', path: '/' },
        { id: 'r-orders', path: '/orders' },
        { id: 'r-status', path: '/orders/status', resourceMethods: integrated },
        { id: 'r-proxy', path: '/orders/status/{proxy+}', resourceMethods: integrated },
      ],
    });
    apiGateway
      .on(CreateDeploymentCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Too Many Requests', ...meta }))
      .resolves({});
    lambda.on(AddPermissionCommand).resolves({});
    await gateway().publish(route);
    expect(apiGateway.commandCalls(CreateDeploymentCommand)).toHaveLength(2);
  });

  it('refuses a route without path parts or with a part a URL cannot carry, before calling AWS', async () => {
    await expect(gateway().publish({ ...route, pathParts: [] })).rejects.toBeInstanceOf(ValidationError);
    await expect(gateway().publish({ ...route, pathParts: ['orders', 'a/b'] })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(apiGateway.calls()).toHaveLength(0);
  });
});

describe('AwsRestApiGateway.unpublish', () => {
  const { functionArn: _arn, ...unpublished } = route;

  it('deletes the route resource (with its children), deploys, and removes the permission', async () => {
    apiGateway.on(GetRestApisCommand).resolves({ items: [{ id: 'api1', name: 'sales-orders' }] });
    apiGateway.on(GetResourcesCommand).resolves({
      items: [
        { id: 'root', path: '/' },
        { id: 'r-orders', path: '/orders' },
        { id: 'r-status', path: '/orders/status' },
      ],
    });
    apiGateway.on(DeleteResourceCommand).resolves({});
    apiGateway.on(CreateDeploymentCommand).resolves({});
    lambda.on(RemovePermissionCommand).resolves({});

    await gateway().unpublish(unpublished);

    expect(apiCalls().slice(2)).toEqual([
      ['DeleteResource', { restApiId: 'api1', resourceId: 'r-status' }],
      [
        'CreateDeployment',
        { restApiId: 'api1', stageName: 'v1', description: 'dmp: unpublish orders/status' },
      ],
    ]);
    expect(lambda.commandCalls(RemovePermissionCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'orders-status',
      StatementId: STATEMENT,
    });
  });

  it('converges when the API, the resource or the permission is already gone', async () => {
    apiGateway
      .on(GetRestApisCommand)
      .resolvesOnce({ items: [] })
      .resolves({ items: [{ id: 'api1', name: 'sales-orders' }] });
    apiGateway.on(GetResourcesCommand).resolves({
      items: [
        { id: 'root', path: '/' },
        { id: 'r-status', path: '/orders/status' },
      ],
    });
    apiGateway
      .on(DeleteResourceCommand)
      .rejects(new NotFoundException({ message: 'Invalid Resource identifier', ...meta }));
    lambda.on(RemovePermissionCommand).rejects(new ResourceNotFoundException({ message: 'gone', ...meta }));

    await gateway().unpublish(unpublished);
    await gateway().unpublish(unpublished);

    expect(apiGateway.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    expect(lambda.commandCalls(RemovePermissionCommand)).toHaveLength(2);
  });
});
