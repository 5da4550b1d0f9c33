import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  type LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { awsErrorName, isAwsError } from '../../shared/aws/aws-errors.js';
import { NotFoundError, UpstreamError } from '../../shared/errors.js';
import type {
  FunctionDescription,
  FunctionHost,
  FunctionSpec,
  Invocation,
  InvocationErrorKind,
  InvokeGrant,
} from './function-host.js';
import { assertOwnedBy, OWNER_TAG } from './function-ownership.js';
import { addInvokePermission, removeInvokePermission } from './lambda-permissions.js';

export const LAMBDA_RUNTIME = 'nodejs20.x';
const DEFAULT_TIMEOUT_SECONDS = 30;
const DEFAULT_MEMORY_MB = 128;

export interface AwsFunctionHostOptions {
  /** Execution role of functions whose spec names none. */
  defaultRoleArn: string;
  /** How often to look at a function that is still Pending or being updated (default 1 s). */
  pollIntervalMs?: number;
  /** How long a function may stay Pending or InProgress before giving up (default 5 min). */
  maxWaitMs?: number;
  /** How many times CreateFunction is retried while a new execution role is not assumable yet (default 5). */
  roleRetries?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * FunctionHost on AWS Lambda. Lambda refuses configuration and code updates
 * while a function is Pending or an update is InProgress, so every change
 * waits for the function to settle before and after it.
 */
export class AwsFunctionHost implements FunctionHost {
  readonly artifactExtensions = ['.zip'] as const;
  private readonly pollIntervalMs: number;
  private readonly maxWaitMs: number;
  private readonly roleRetries: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly lambda: LambdaClient,
    private readonly options: AwsFunctionHostOptions,
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.maxWaitMs = options.maxWaitMs ?? 5 * 60_000;
    this.roleRetries = options.roleRetries ?? 5;
    this.sleep = options.sleep ?? ((ms: number) => sleep(ms));
  }

  async describe(name: string): Promise<FunctionDescription | undefined> {
    try {
      const found = await this.lambda.send(new GetFunctionCommand({ FunctionName: name }));
      return describeFunction(name, found.Configuration, found.Tags);
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
      throw lambdaFailure('GetFunction', name, error);
    }
  }

  async create(spec: FunctionSpec): Promise<FunctionDescription> {
    const existing = await this.describe(spec.name);
    if (existing) {
      assertOwnedBy(existing, spec.owner);
      return existing;
    }
    const created = await this.createWithRoleRetries(spec);
    await this.waitUntilSettled(spec.name);
    return describeFunction(spec.name, created, { [OWNER_TAG]: spec.owner });
  }

  async updateConfiguration(spec: FunctionSpec): Promise<FunctionDescription> {
    await this.requireOwned(spec);
    await this.waitUntilSettled(spec.name);
    const updated = await lambdaCall('UpdateFunctionConfiguration', spec.name, () =>
      this.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: spec.name,
          ...configurationOf(spec, this.options),
        }),
      ),
    );
    await this.waitUntilSettled(spec.name);
    return describeFunction(spec.name, updated, { [OWNER_TAG]: spec.owner });
  }

  async updateCode(spec: FunctionSpec): Promise<FunctionDescription> {
    await this.requireOwned(spec);
    await this.waitUntilSettled(spec.name);
    const updated = await lambdaCall('UpdateFunctionCode', spec.name, () =>
      this.lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: spec.name,
          S3Bucket: spec.artifact.bucket,
          S3Key: spec.artifact.key,
        }),
      ),
    );
    await this.waitUntilSettled(spec.name);
    return describeFunction(spec.name, updated, { [OWNER_TAG]: spec.owner });
  }

  /** With `owner`, a function of another owner is refused instead of deleted. */
  async delete(name: string, owner?: string): Promise<boolean> {
    if (owner !== undefined) {
      const existing = await this.describe(name);
      if (!existing) return false;
      assertOwnedBy(existing, owner);
    }
    try {
      await this.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
      return true;
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) return false;
      throw lambdaFailure('DeleteFunction', name, error);
    }
  }

  async invoke(name: string, event: unknown): Promise<Invocation> {
    let answer: { FunctionError?: string; Payload?: Uint8Array };
    try {
      answer = await this.lambda.send(
        new InvokeCommand({
          FunctionName: name,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(event ?? {})),
        }),
      );
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) {
        throw new NotFoundError(`function ${name} does not exist`, { functionName: name }, { cause: error });
      }
      throw lambdaFailure('Invoke', name, error);
    }
    const payload = parsePayload(answer.Payload);
    if (!answer.FunctionError) return { ok: true, payload };
    return { ok: false, error: invocationErrorOf(payload) };
  }

  allowInvoke(name: string, grant: InvokeGrant): Promise<void> {
    return addInvokePermission(this.lambda, name, grant);
  }

  revokeInvoke(name: string, statementId: string): Promise<void> {
    return removeInvokePermission(this.lambda, name, statementId);
  }

  async close(): Promise<void> {
    // The client belongs to the caller (createLambdaRuntime destroys it).
  }

  private async requireOwned(spec: FunctionSpec): Promise<void> {
    const existing = await this.describe(spec.name);
    if (!existing)
      throw new NotFoundError(`function ${spec.name} does not exist`, { functionName: spec.name });
    assertOwnedBy(existing, spec.owner);
  }

  /** A role created moments ago is not assumable by Lambda yet (IAM is eventually consistent): retry a few times. */
  private async createWithRoleRetries(spec: FunctionSpec): Promise<FunctionConfiguration> {
    const command = new CreateFunctionCommand({
      FunctionName: spec.name,
      Runtime: LAMBDA_RUNTIME,
      Code: { S3Bucket: spec.artifact.bucket, S3Key: spec.artifact.key },
      ...configurationOf(spec, this.options),
      Tags: { [OWNER_TAG]: spec.owner },
    });
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.lambda.send(command);
      } catch (error) {
        if (attempt < this.roleRetries && isRoleNotReady(error)) {
          await this.sleep(this.pollIntervalMs * 2 ** attempt);
          continue;
        }
        if (isAwsError(error, 'ResourceConflictException')) {
          // Created concurrently by another attempt: converge on it if it is ours.
          const existing = await this.describe(spec.name);
          if (existing) {
            assertOwnedBy(existing, spec.owner);
            return { FunctionName: existing.name, FunctionArn: existing.arn, Handler: existing.handler };
          }
        }
        throw lambdaFailure('CreateFunction', spec.name, error);
      }
    }
  }

  /** Waits while the function is Pending or an update is InProgress; Failed states become errors with Lambda's reason. */
  private async waitUntilSettled(name: string): Promise<void> {
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      const configuration = await lambdaCall('GetFunctionConfiguration', name, () =>
        this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })),
      );
      if (configuration.State === 'Failed') {
        throw new UpstreamError(
          `function ${name} failed to become active: ${configuration.StateReason ?? 'no reason given'}`,
        );
      }
      if (configuration.LastUpdateStatus === 'Failed') {
        throw new UpstreamError(
          `the last update of function ${name} failed: ${configuration.LastUpdateStatusReason ?? 'no reason given'}`,
        );
      }
      const busy = configuration.State === 'Pending' || configuration.LastUpdateStatus === 'InProgress';
      if (!busy) return;
      if (Date.now() >= deadline) {
        throw new UpstreamError(
          `function ${name} is still ${configuration.State}/${configuration.LastUpdateStatus} after ${this.maxWaitMs} ms`,
        );
      }
      await this.sleep(this.pollIntervalMs);
    }
  }
}

/** The fields CreateFunction and UpdateFunctionConfiguration share. */
function configurationOf(spec: FunctionSpec, options: AwsFunctionHostOptions) {
  return {
    Role: spec.role ?? options.defaultRoleArn,
    Handler: spec.handler,
    Description: spec.description ?? `dmp ${spec.owner}`,
    Timeout: spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    MemorySize: spec.memoryMb ?? DEFAULT_MEMORY_MB,
    Environment: { Variables: { ...spec.environment } },
  };
}

function describeFunction(
  name: string,
  configuration: FunctionConfiguration | undefined,
  tags: Record<string, string> | undefined,
): FunctionDescription {
  return {
    name: configuration?.FunctionName ?? name,
    arn: configuration?.FunctionArn ?? '',
    owner: tags?.[OWNER_TAG],
    handler: configuration?.Handler ?? '',
    environment: { ...(configuration?.Environment?.Variables ?? {}) },
  };
}

function isRoleNotReady(error: unknown): boolean {
  return (
    isAwsError(error, 'InvalidParameterValueException') &&
    /role.*(cannot be assumed|assume)/i.test((error as Error).message)
  );
}

function parsePayload(payload: Uint8Array | undefined): unknown {
  if (!payload || payload.byteLength === 0) return null;
  const text = new TextDecoder().decode(payload);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Lambda reports `{errorType, errorMessage}`; timeouts and runtime failures have their own types. */
function invocationErrorOf(payload: unknown): { kind: InvocationErrorKind; type: string; message: string } {
  const body = (payload ?? {}) as { errorType?: unknown; errorMessage?: unknown };
  const type = typeof body.errorType === 'string' ? body.errorType : 'Error';
  const message = typeof body.errorMessage === 'string' ? body.errorMessage : 'the function failed';
  const kind: InvocationErrorKind =
    type === 'Sandbox.Timedout' || /Task timed out after/.test(message)
      ? 'timeout'
      : type.startsWith('Runtime.')
        ? 'runtime'
        : 'handler';
  return { kind, type, message };
}

async function lambdaCall<T>(operation: string, name: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw lambdaFailure(operation, name, error);
  }
}

/** An SDK exception as a domain error: missing functions are NotFound, the rest is AWS failing us. */
function lambdaFailure(operation: string, name: string, error: unknown): Error {
  if (error instanceof NotFoundError || error instanceof UpstreamError) return error;
  const message = `Lambda ${operation} of ${name} failed: ${awsErrorName(error) ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
  if (isAwsError(error, 'ResourceNotFoundException')) {
    return new NotFoundError(message, { functionName: name }, { cause: error });
  }
  return new UpstreamError(message, { functionName: name }, { cause: error });
}
