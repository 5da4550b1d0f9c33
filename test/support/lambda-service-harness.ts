import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  createLambdaRuntime,
  type LambdaRuntime,
  type LambdaRuntimeConfig,
} from '../../microservices/lambda-runtime/lambda-runtime-config.js';
import { startLocalLambdaServer } from '../../microservices/lambda-runtime/local-lambda-server.js';
import type { LocalRouteTable } from '../../microservices/lambda-runtime/local-route-table.js';
import { DEFAULT_TOKEN_TABLE } from '../../shared/auth/dynamo-token-store.js';
import type { RunningServer } from '../../shared/http/serve.js';
import { StateClient } from '../../shared/state/state-client.js';
import { startStateService } from '../../state-service/start-state-service.js';
import { DEFAULT_STATE_TABLES } from '../../state-service/store/state-tables.js';
import { issueTestTokens, type TestTokens } from './auth.js';
import { freePort } from './free-port.js';
import { removeDir, startTestStack, type TestStack } from './local-stack.js';
import { silentLogger } from './silent-logger.js';
import { deployWrite } from './state-writes.js';

export const HARNESS_BUCKET = 'dmp-datamesh-s3';
export const HARNESS_DATA_PRODUCT = {
  environment: 'test',
  domain: 'sales',
  name: 'orders',
  version: '1.0.0',
};

export interface LambdaServiceHarness {
  stack: TestStack;
  tokens: TestTokens;
  /** The state service as the provisioner sees it. */
  state: StateClient;
  stateServiceUrl: string;
  service: RunningServer;
  lambdaServer: RunningServer;
  runtime: LambdaRuntime;
  close(): Promise<void>;
}

/**
 * A microservice that deploys functions, run as it is deployed: over HTTP, on
 * a real state service, dynalite and s3rver, with the local Lambda server that
 * runs what it deploys. The data product is in transit under `op-1` with one
 * step, `resource`, as the provisioner leaves it before dispatching; the
 * service runs with its own credential, bound to aws-lambda of its kind.
 */
export async function startLambdaServiceHarness(options: {
  artifact: { key: string; body: string };
  resource: string;
  /** The resource's kind: the service runs with that kind's credential (aws-lambda serves both). */
  kind: 'observability' | 'workload';
  /** Starts the service from the environment given (plus its own variables); answers its Lambda runtime config. */
  start: (
    env: NodeJS.ProcessEnv,
    tokens: TestTokens,
  ) => Promise<{ service: RunningServer; lambda: LambdaRuntimeConfig }>;
}): Promise<LambdaServiceHarness> {
  const stack = await startTestStack();
  const servers: RunningServer[] = [];
  let runtime: LambdaRuntime | undefined;
  const close = async () => {
    for (const server of servers.reverse()) await server.close();
    await runtime?.close();
    await stack.close();
    removeDir(stack.dataDir);
  };
  try {
    await stack.s3.send(
      new PutObjectCommand({
        Bucket: HARNESS_BUCKET,
        Key: options.artifact.key,
        Body: options.artifact.body,
      }),
    );
    const stateService = await startStateService(
      {
        host: '127.0.0.1',
        port: 0,
        dynamoDbEndpoint: stack.dynamoDbEndpoint,
        tables: DEFAULT_STATE_TABLES,
        createTables: true,
        tokenTable: DEFAULT_TOKEN_TABLE,
        auth: { tokenCacheMs: 1_000 },
      },
      silentLogger,
    );
    servers.push(stateService);
    const tokens = await issueTestTokens(stack);
    const state = new StateClient(stateService.url, { token: tokens.provisioner });
    await state.writeDataProduct(
      deployWrite(HARNESS_DATA_PRODUCT, [
        { name: options.resource, kind: options.kind, technology: 'aws-lambda' },
      ]),
    );
    const lambdaPort = await freePort();
    const { service, lambda } = await options.start(
      {
        DMP_STATE_SERVICE_URL: stateService.url,
        DMP_DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
        DMP_S3_ENDPOINT: stack.s3Endpoint,
        DMP_SERVICE_TOKEN:
          options.kind === 'observability' ? tokens.observabilityService : tokens.workloadService,
        DMP_HEARTBEAT_MS: '200',
        DMP_LAMBDA_SERVER_PORT: String(lambdaPort),
        DMP_LAMBDA_CODE_DIR: `${stack.dataDir}/lambda`,
      },
      tokens,
    );
    servers.push(service);
    runtime = await createLambdaRuntime(
      lambda,
      { dynamoDbEndpoint: stack.dynamoDbEndpoint, s3Endpoint: stack.s3Endpoint },
      silentLogger,
    );
    const lambdaServer = await startLocalLambdaServer({
      host: '127.0.0.1',
      port: lambdaPort,
      functions: runtime.functions,
      routes: runtime.routes as LocalRouteTable,
      logger: silentLogger,
    });
    servers.push(lambdaServer);
    return { stack, tokens, state, stateServiceUrl: stateService.url, service, lambdaServer, runtime, close };
  } catch (error) {
    await close();
    throw error;
  }
}
