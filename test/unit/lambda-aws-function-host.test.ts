import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  type GetFunctionCommandOutput,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  RemovePermissionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsFunctionHost } from '../../microservices/lambda-runtime/aws-function-host.js';
import type { FunctionSpec } from '../../microservices/lambda-runtime/function-host.js';
import { ConflictError, NotFoundError, UpstreamError } from '../../shared/errors.js';

const lambda = mockClient(LambdaClient);
const ROLE = 'arn:aws:iam::123456789012:role/dmp-functions';
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-status';
const OWNER = 'prod/sales/orders/1.0.0/status';

const spec: FunctionSpec = {
  name: 'orders-status',
  artifact: { bucket: 'dmp-artifacts', key: 'obs/status.zip' },
  handler: 'index.handler',
  environment: { DMP_DATA_PRODUCT: 'prod/sales/orders/1.0.0' },
  owner: OWNER,
  timeoutSeconds: 10,
  memoryMb: 256,
};

const meta = { $metadata: {} };
/** An exception of a type the host does not handle specially. */
const serviceFailure = (name: string) => Object.assign(new Error('failed'), { name });
const notFound = () => new ResourceNotFoundException({ message: 'Function not found', ...meta });
const existing = (owner: string | null = OWNER): GetFunctionCommandOutput => ({
  ...meta,
  Configuration: {
    FunctionName: 'orders-status',
    FunctionArn: ARN,
    Handler: 'index.handler',
    Environment: { Variables: {} },
  },
  Tags: owner ? { 'dmp:owner': owner } : {},
});

/** The names of the commands sent, in order. */
const sent = () => lambda.calls().map((call) => (call.args[0] as object).constructor.name);

const host = () =>
  new AwsFunctionHost(new LambdaClient({}), {
    defaultRoleArn: ROLE,
    pollIntervalMs: 0,
    sleep: async () => {},
  });

beforeEach(() => {
  lambda.reset();
});

describe('AwsFunctionHost.create', () => {
  it('creates a missing function from the S3 artifact, tagged with its owner, and waits until it is active', async () => {
    lambda.on(GetFunctionCommand).rejects(notFound());
    lambda.on(CreateFunctionCommand).resolves({
      FunctionName: 'orders-status',
      FunctionArn: ARN,
      Handler: 'index.handler',
      State: 'Pending',
    });
    lambda
      .on(GetFunctionConfigurationCommand)
      .resolvesOnce({ State: 'Pending' })
      .resolves({ State: 'Active', LastUpdateStatus: 'Successful' });

    const created = await host().create(spec);

    expect(sent()).toEqual([
      'GetFunctionCommand',
      'CreateFunctionCommand',
      'GetFunctionConfigurationCommand',
      'GetFunctionConfigurationCommand',
    ]);
    expect(lambda.commandCalls(CreateFunctionCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'orders-status',
      Runtime: 'nodejs20.x',
      Code: { S3Bucket: 'dmp-artifacts', S3Key: 'obs/status.zip' },
      Role: ROLE,
      Handler: 'index.handler',
      Description: `dmp ${OWNER}`,
      Timeout: 10,
      MemorySize: 256,
      Environment: { Variables: { DMP_DATA_PRODUCT: 'prod/sales/orders/1.0.0' } },
      Tags: { 'dmp:owner': OWNER },
    });
    expect(created).toEqual({
      name: 'orders-status',
      arn: ARN,
      owner: OWNER,
      handler: 'index.handler',
      environment: {},
    });
  });

  it('returns an existing function of the same owner without creating anything', async () => {
    lambda.on(GetFunctionCommand).resolves(existing());
    const described = await host().create(spec);
    expect(sent()).toEqual(['GetFunctionCommand']);
    expect(described.arn).toBe(ARN);
  });

  it('refuses a function of the same name that another resource owns, or that dmp did not create', async () => {
    for (const owner of ['prod/other/dp/1.0.0/x', null]) {
      lambda.reset();
      lambda.on(GetFunctionCommand).resolves(existing(owner));
      await expect(host().create(spec)).rejects.toBeInstanceOf(ConflictError);
      expect(lambda.commandCalls(CreateFunctionCommand)).toHaveLength(0);
    }
  });

  it('retries while a new execution role cannot be assumed yet', async () => {
    lambda.on(GetFunctionCommand).rejects(notFound());
    lambda
      .on(CreateFunctionCommand)
      .rejectsOnce(
        new InvalidParameterValueException({
          message: 'The role defined for the function cannot be assumed by Lambda.',
          ...meta,
        }),
      )
      .resolves({ FunctionName: 'orders-status', FunctionArn: ARN });
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active' });
    await host().create(spec);
    expect(lambda.commandCalls(CreateFunctionCommand)).toHaveLength(2);
  });

  it('converges on a function created concurrently by another attempt', async () => {
    lambda.on(GetFunctionCommand).rejectsOnce(notFound()).resolves(existing());
    lambda.on(CreateFunctionCommand).rejects(new ResourceConflictException({ message: 'exists', ...meta }));
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active' });
    const created = await host().create(spec);
    expect(created.arn).toBe(ARN);
    expect(sent()).toEqual([
      'GetFunctionCommand',
      'CreateFunctionCommand',
      'GetFunctionCommand',
      'GetFunctionConfigurationCommand',
    ]);
  });

  it('reports a function that fails to become active with Lambda’s reason', async () => {
    lambda.on(GetFunctionCommand).rejects(notFound());
    lambda.on(CreateFunctionCommand).resolves({ FunctionName: 'orders-status', FunctionArn: ARN });
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Failed', StateReason: 'subnet is full' });
    await expect(host().create(spec)).rejects.toThrow(/subnet is full/);
  });
});

describe('AwsFunctionHost updates', () => {
  it('updates the configuration once the function is settled, then waits for the update', async () => {
    lambda.on(GetFunctionCommand).resolves(existing());
    lambda
      .on(GetFunctionConfigurationCommand)
      .resolvesOnce({ State: 'Active', LastUpdateStatus: 'InProgress' })
      .resolvesOnce({ State: 'Active', LastUpdateStatus: 'Successful' })
      .resolvesOnce({ State: 'Active', LastUpdateStatus: 'InProgress' })
      .resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    lambda
      .on(UpdateFunctionConfigurationCommand)
      .resolves({ FunctionName: 'orders-status', FunctionArn: ARN });

    await host().updateConfiguration({ ...spec, role: 'arn:aws:iam::123456789012:role/custom' });

    expect(sent()).toEqual([
      'GetFunctionCommand',
      'GetFunctionConfigurationCommand',
      'GetFunctionConfigurationCommand',
      'UpdateFunctionConfigurationCommand',
      'GetFunctionConfigurationCommand',
      'GetFunctionConfigurationCommand',
    ]);
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'orders-status',
      Role: 'arn:aws:iam::123456789012:role/custom',
      Handler: 'index.handler',
      Description: `dmp ${OWNER}`,
      Timeout: 10,
      MemorySize: 256,
      Environment: { Variables: { DMP_DATA_PRODUCT: 'prod/sales/orders/1.0.0' } },
    });
  });

  it('redeploys the code from the artifact', async () => {
    lambda.on(GetFunctionCommand).resolves(existing());
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    lambda.on(UpdateFunctionCodeCommand).resolves({ FunctionName: 'orders-status', FunctionArn: ARN });
    await host().updateCode(spec);
    expect(sent()).toEqual([
      'GetFunctionCommand',
      'GetFunctionConfigurationCommand',
      'UpdateFunctionCodeCommand',
      'GetFunctionConfigurationCommand',
    ]);
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'orders-status',
      S3Bucket: 'dmp-artifacts',
      S3Key: 'obs/status.zip',
    });
  });

  it("never updates another resource's function, and reports a missing one", async () => {
    lambda.on(GetFunctionCommand).resolves(existing('prod/other/dp/1.0.0/x'));
    await expect(host().updateCode(spec)).rejects.toBeInstanceOf(ConflictError);
    await expect(host().updateConfiguration(spec)).rejects.toBeInstanceOf(ConflictError);
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)).toHaveLength(0);
    lambda.on(GetFunctionCommand).rejects(notFound());
    await expect(host().updateCode(spec)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reports a failed update with Lambda’s reason', async () => {
    lambda.on(GetFunctionCommand).resolves(existing());
    lambda
      .on(GetFunctionConfigurationCommand)
      .resolvesOnce({ State: 'Active', LastUpdateStatus: 'Successful' })
      .resolves({ State: 'Active', LastUpdateStatus: 'Failed', LastUpdateStatusReason: 'zip is corrupt' });
    lambda.on(UpdateFunctionCodeCommand).resolves({});
    await expect(host().updateCode(spec)).rejects.toThrow(/zip is corrupt/);
  });
});

describe('AwsFunctionHost.delete', () => {
  it('deletes the function; a missing one answers false', async () => {
    lambda.on(DeleteFunctionCommand).resolvesOnce({}).rejects(notFound());
    expect(await host().delete('orders-status')).toBe(true);
    expect(await host().delete('orders-status')).toBe(false);
    expect(lambda.commandCalls(DeleteFunctionCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'orders-status',
    });
  });

  it('with an owner, checks the tag first and refuses a foreign function', async () => {
    lambda.on(GetFunctionCommand).resolves(existing('prod/other/dp/1.0.0/x'));
    await expect(host().delete('orders-status', OWNER)).rejects.toBeInstanceOf(ConflictError);
    expect(lambda.commandCalls(DeleteFunctionCommand)).toHaveLength(0);
  });
});

describe('AwsFunctionHost.invoke', () => {
  it('invokes synchronously with the event as JSON and answers the decoded payload', async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: new TextEncoder().encode('{"ok":1}') as never });
    expect(await host().invoke('orders-status', { a: 1 })).toEqual({ ok: true, payload: { ok: 1 } });
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input?.FunctionName).toBe('orders-status');
    expect(input?.InvocationType).toBe('RequestResponse');
    expect(new TextDecoder().decode(input?.Payload as Uint8Array)).toBe('{"a":1}');
  });

  it('maps FunctionError to handler, timeout and runtime errors', async () => {
    const failing = (body: object) => ({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: new TextEncoder().encode(JSON.stringify(body)) as never,
    });
    lambda
      .on(InvokeCommand)
      .resolvesOnce(failing({ errorType: 'MissingData', errorMessage: 'no data' }))
      .resolvesOnce(
        failing({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 3.00 seconds' }),
      )
      .resolvesOnce(
        failing({ errorType: 'Runtime.ImportModuleError', errorMessage: "Cannot find module 'index'" }),
      );
    expect(await host().invoke('f', {})).toEqual({
      ok: false,
      error: { kind: 'handler', type: 'MissingData', message: 'no data' },
    });
    expect(await host().invoke('f', {})).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(await host().invoke('f', {})).toMatchObject({
      ok: false,
      error: { kind: 'runtime', type: 'Runtime.ImportModuleError' },
    });
  });

  it('raises NotFoundError for a missing function and UpstreamError for Lambda failing', async () => {
    lambda.on(InvokeCommand).rejectsOnce(notFound()).rejects(serviceFailure('ServiceException'));
    await expect(host().invoke('f', {})).rejects.toBeInstanceOf(NotFoundError);
    await expect(host().invoke('f', {})).rejects.toBeInstanceOf(UpstreamError);
  });
});

describe('AwsFunctionHost permissions', () => {
  const grant = {
    statementId: 'dmp-apigw-1',
    principal: 'apigateway.amazonaws.com',
    sourceArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc/*/GET/orders*',
  };

  it('adds the statement; an existing statement of the same id is kept', async () => {
    lambda
      .on(AddPermissionCommand)
      .resolvesOnce({})
      .rejects(new ResourceConflictException({ message: 'exists', ...meta }));
    await host().allowInvoke('orders-status', grant);
    await host().allowInvoke('orders-status', grant);
    expect(lambda.commandCalls(AddPermissionCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'orders-status',
      StatementId: 'dmp-apigw-1',
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc/*/GET/orders*',
    });
  });

  it('removes the statement; an absent statement is fine, other failures are not', async () => {
    lambda
      .on(RemovePermissionCommand)
      .resolvesOnce({})
      .rejectsOnce(notFound())
      .rejects(serviceFailure('AccessDeniedException'));
    await host().revokeInvoke('orders-status', 'dmp-apigw-1');
    await host().revokeInvoke('orders-status', 'dmp-apigw-1');
    await expect(host().revokeInvoke('orders-status', 'dmp-apigw-1')).rejects.toBeInstanceOf(UpstreamError);
    expect(lambda.commandCalls(RemovePermissionCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'orders-status',
      StatementId: 'dmp-apigw-1',
    });
  });
});
