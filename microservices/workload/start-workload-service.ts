import type { RunningServer } from '../../shared/http/serve.js';
import { createLogger, type Logger } from '../../shared/logging/logger.js';
import { startLambdaResourceService } from '../lambda-runtime/lambda-resource-service.js';
import type { LambdaRuntime } from '../lambda-runtime/lambda-runtime-config.js';
import { createWorkloadProvisioner } from './workload-service.js';
import type { WorkloadServiceConfig } from './workload-service-config.js';

/** The workload microservice over HTTP, on its own Lambda runtime or on a shared one. */
export function startWorkloadService(
  config: WorkloadServiceConfig,
  logger: Logger = createLogger('workload'),
  runtime?: LambdaRuntime,
): Promise<RunningServer> {
  return startLambdaResourceService(
    'workload',
    config,
    (used) => createWorkloadProvisioner(config, used),
    logger,
    runtime,
  );
}
