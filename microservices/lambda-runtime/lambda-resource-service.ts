import type { RunningServer } from '../../shared/http/serve.js';
import type { Logger } from '../../shared/logging/logger.js';
import { optionsFromConfig, startResourceService } from '../../shared/microservice/start-resource-service.js';
import type { TechnologyProvisioner } from '../../shared/microservice/technology-provisioner.js';
import type { LambdaRuntime } from './lambda-runtime-config.js';
import { createServiceRuntime, type LambdaServiceConfig } from './service-runtime.js';

/**
 * A microservice whose provisioner deploys functions, over HTTP. Pass
 * `runtime` to share one Lambda runtime (and its local Lambda server) with
 * other services; it is then not closed here. Without it, the service makes
 * and closes its own.
 */
export async function startLambdaResourceService(
  service: string,
  config: LambdaServiceConfig,
  provisionerOn: (runtime: LambdaRuntime) => TechnologyProvisioner,
  logger: Logger,
  runtime?: LambdaRuntime,
): Promise<RunningServer> {
  const own = runtime ? undefined : await createServiceRuntime(config, logger);
  const used = (runtime ?? own) as LambdaRuntime;
  try {
    const server = await startResourceService({
      service,
      provisioner: provisionerOn(used),
      logger,
      ...optionsFromConfig(config),
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
