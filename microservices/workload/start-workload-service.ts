import { RemoteTokenVerifier } from '../../shared/auth/verifiers.js';
import type { RunningServer } from '../../shared/http/serve.js';
import { createLogger, type Logger } from '../../shared/logging/logger.js';
import { startResourceService } from '../../shared/microservice/start-resource-service.js';
import type { LambdaRuntime } from '../lambda-runtime/lambda-runtime-config.js';
import { createWorkloadProvisioner, createWorkloadRuntime } from './workload-service.js';
import type { WorkloadServiceConfig } from './workload-service-config.js';

/**
 * The workload microservice over HTTP. Pass `runtime` to share one
 * Lambda runtime (and its local Lambda server) with other services; it is
 * then not closed here. Without it, the service makes and closes its own.
 */
export async function startWorkloadService(
  config: WorkloadServiceConfig,
  logger: Logger = createLogger('workload'),
  runtime?: LambdaRuntime,
): Promise<RunningServer> {
  const own = runtime ? undefined : await createWorkloadRuntime(config, logger);
  const used = (runtime ?? own) as LambdaRuntime;
  try {
    const server = await startResourceService({
      service: 'workload',
      provisioner: createWorkloadProvisioner(used),
      stateServiceUrl: config.stateServiceUrl,
      host: config.host,
      port: config.port,
      logger,
      heartbeatMs: config.heartbeatMs,
      serviceToken: config.auth.serviceToken,
      verifier: new RemoteTokenVerifier(config.stateServiceUrl, config.auth.tokenCacheMs),
    });
    return {
      ...server,
      close: async () => {
        await server.close();
        await own?.close();
      },
    };
  } catch (error) {
    await own?.close();
    throw error;
  }
}
