import {
  createLambdaRuntime,
  type LambdaRuntime,
  type LocalLambdaRuntimeConfig,
  readLambdaRuntimeConfig,
} from '../microservices/lambda-runtime/lambda-runtime-config.js';
import { startLocalLambdaServer } from '../microservices/lambda-runtime/local-lambda-server.js';
import { LocalRestApiGateway } from '../microservices/lambda-runtime/local-rest-api-gateway.js';
import { RemoteTokenVerifier } from '../shared/auth/verifiers.js';
import type { AwsEndpoints } from '../shared/aws/clients.js';
import { EnvReader } from '../shared/config/env-reader.js';
import type { RunningServer } from '../shared/http/serve.js';
import { readServerLimits } from '../shared/http/server-limits.js';
import type { Logger } from '../shared/logging/logger.js';

export interface LocalLambda {
  /** Shared by the observability and workload microservices: one function host, one set of routes. */
  runtime: LambdaRuntime;
  server: RunningServer;
  close(): Promise<void>;
}

/**
 * The local Lambda runtime of `npm start`: each invocation runs in a sandboxed process,
 * and one local server answers their published GET routes and the invoke API.
 * The server starts first, so that the URLs handed out are the ones it really
 * listens on (its port may be 0 in tests).
 */
export async function startLocalLambda(
  env: NodeJS.ProcessEnv,
  endpoints: AwsEndpoints,
  stateServiceUrl: string,
  logger: Logger,
): Promise<LocalLambda> {
  const reader = new EnvReader({ ...env, DMP_LAMBDA_MODE: 'local' });
  const config = readLambdaRuntimeConfig(reader) as LocalLambdaRuntimeConfig;
  const serverLimits = readServerLimits(reader);
  reader.assertValid();
  const base = await createLambdaRuntime(config, endpoints, logger);
  const routes = base.routes;
  if (!routes) throw new Error('the local Lambda runtime has no route table');
  let server: RunningServer;
  try {
    server = await startLocalLambdaServer({
      host: reader.string('DMP_HOST', '127.0.0.1'),
      port: config.serverPort,
      functions: base.functions,
      routes,
      logger,
      verifier: new RemoteTokenVerifier(stateServiceUrl),
      serverLimits,
    });
  } catch (error) {
    await base.close();
    throw error;
  }
  const runtime: LambdaRuntime = {
    ...base,
    gateway: new LocalRestApiGateway(routes, base.functions, {
      baseUrl: env.DMP_LAMBDA_URL ?? server.url,
      stage: config.stage,
    }),
  };
  return {
    runtime,
    server,
    close: async () => {
      await server.close();
      await base.close();
    },
  };
}
