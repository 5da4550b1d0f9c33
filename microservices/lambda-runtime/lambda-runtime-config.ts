import { join } from 'node:path';
import { type AwsEndpoints, createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients.js';
import { ConfigError, type EnvReader } from '../../shared/config/env-reader.js';
import type { Logger } from '../../shared/logging/logger.js';
import { AwsFunctionHost } from './aws-function-host.js';
import { AwsRestApiGateway } from './aws-rest-api-gateway.js';
import type { FunctionHost } from './function-host.js';
import { DEFAULT_INVOCATION_USER, type InvocationUser, parseInvocationUser } from './invocation-user.js';
import { createApiGatewayClient, createLambdaClient } from './lambda-clients.js';
import { LocalFunctionHost } from './local-function-host.js';
import { DEFAULT_LOCAL_FUNCTION_TABLE } from './local-function-registry.js';
import { LocalRestApiGateway } from './local-rest-api-gateway.js';
import { DEFAULT_LOCAL_ROUTE_TABLE, LocalRouteTable } from './local-route-table.js';
import type { RestApiGateway } from './rest-api-gateway.js';

export const DEFAULT_LAMBDA_SERVER_PORT = 8099;

export interface LocalLambdaRuntimeConfig {
  mode: 'local';
  stage: string;
  /** Base URL of the local Lambda server: the published routes' URLs start with it. */
  lambdaUrl: string;
  /** Where functions' code is unpacked. */
  codeDir: string;
  /** Port of the local Lambda server (`startLocalLambdaServer`). */
  serverPort: number;
  functionTable: string;
  routeTable: string;
  maxConcurrentInvocations: number;
  /** Who runs the functions' code when the platform runs as root (default 65534:65534). */
  runAs?: InvocationUser;
}

export interface AwsLambdaRuntimeConfig {
  mode: 'aws';
  stage: string;
  /** Execution role of functions whose spec names none. */
  roleArn: string;
  /** For the execute-api source ARN of invoke permissions; unset: read from each function's ARN. */
  accountId?: string;
}

export type LambdaRuntimeConfig = LocalLambdaRuntimeConfig | AwsLambdaRuntimeConfig;

/**
 * The Lambda runtime's settings. The caller owns the reader and calls
 * `assertValid()` once it has read everything else too.
 */
export function readLambdaRuntimeConfig(reader: EnvReader): LambdaRuntimeConfig {
  const mode = reader.oneOf(
    'DMP_LAMBDA_MODE',
    ['local', 'aws'] as const,
    reader.optionalString('DMP_DYNAMODB_ENDPOINT') ? 'local' : 'aws',
  );
  const stage = reader.string('DMP_API_STAGE', 'v1');
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(stage)) {
    throw new ConfigError(
      `Invalid configuration:\n  - DMP_API_STAGE=${stage} must be 1-128 letters, digits, '-' and '_'`,
    );
  }
  if (mode === 'aws') {
    return {
      mode,
      stage,
      roleArn: reader.require(
        'DMP_LAMBDA_ROLE_ARN',
        'is required when DMP_LAMBDA_MODE=aws: the execution role of the functions',
      ),
      accountId: reader.optionalString('DMP_AWS_ACCOUNT_ID'),
    };
  }
  const serverPort = reader.port('DMP_LAMBDA_SERVER_PORT', DEFAULT_LAMBDA_SERVER_PORT);
  const host = reader.string('DMP_HOST', '127.0.0.1');
  return {
    mode,
    stage,
    lambdaUrl: reader.url('DMP_LAMBDA_URL', `http://${host}:${serverPort}`),
    codeDir: reader.string('DMP_LAMBDA_CODE_DIR', join(reader.string('DMP_DATA_DIR', '.dmp-data'), 'lambda')),
    serverPort,
    functionTable: reader.string('DMP_LOCAL_LAMBDA_FUNCTION_TABLE', DEFAULT_LOCAL_FUNCTION_TABLE),
    routeTable: reader.string('DMP_LOCAL_API_ROUTE_TABLE', DEFAULT_LOCAL_ROUTE_TABLE),
    maxConcurrentInvocations: reader.integer('DMP_LAMBDA_MAX_CONCURRENCY', 8, { min: 1, max: 256 }),
    runAs: readInvocationUser(reader),
  };
}

function readInvocationUser(reader: EnvReader): InvocationUser {
  const text = reader.matching(
    'DMP_LAMBDA_RUN_AS',
    `${DEFAULT_INVOCATION_USER.uid}:${DEFAULT_INVOCATION_USER.gid}`,
    /^\d{1,10}:\d{1,10}$/,
    'uid:gid, two numbers (such as 65534:65534)',
  );
  const user = parseInvocationUser(text);
  if (!user) {
    throw new ConfigError(
      `Invalid configuration:\n  - DMP_LAMBDA_RUN_AS=${text} must be uid:gid, each below 4294967295`,
    );
  }
  return user;
}

export interface LambdaRuntime {
  functions: FunctionHost;
  gateway: RestApiGateway;
  /** The local route table (local mode only): what `startLocalLambdaServer` serves. */
  routes?: LocalRouteTable;
  close(): Promise<void>;
}

/**
 * The function host and REST API gateway of the configured mode: AWS Lambda
 * and API Gateway, or the local runtime (a sandboxed process per invocation,
 * routes served by the local Lambda server) on the local DynamoDB and S3 of `endpoints`.
 */
export async function createLambdaRuntime(
  config: LambdaRuntimeConfig,
  endpoints: AwsEndpoints,
  logger: Logger,
): Promise<LambdaRuntime> {
  if (config.mode === 'aws') {
    const lambda = createLambdaClient(endpoints);
    const apiGateway = createApiGatewayClient(endpoints);
    const region = endpoints.region ?? (await lambda.config.region());
    return {
      functions: new AwsFunctionHost(lambda, { defaultRoleArn: config.roleArn }),
      gateway: new AwsRestApiGateway(apiGateway, lambda, {
        region,
        stage: config.stage,
        ...(config.accountId ? { accountId: config.accountId } : {}),
      }),
      close: async () => {
        lambda.destroy();
        apiGateway.destroy();
      },
    };
  }
  const dynamo = createDynamoDocumentClient(endpoints);
  const s3 = createS3Client(endpoints);
  const functions = await LocalFunctionHost.create({
    dynamo,
    s3,
    codeDir: config.codeDir,
    functionTable: config.functionTable,
    logger: logger.child({ component: 'local-lambda' }),
    maxConcurrentInvocations: config.maxConcurrentInvocations,
    ...(config.runAs ? { runAs: config.runAs } : {}),
  });
  const routes = await LocalRouteTable.create(dynamo, config.routeTable);
  return {
    functions,
    gateway: new LocalRestApiGateway(routes, functions, { baseUrl: config.lambdaUrl, stage: config.stage }),
    routes,
    close: async () => {
      await functions.close();
      dynamo.destroy();
      s3.destroy();
    },
  };
}
