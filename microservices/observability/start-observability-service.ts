import type { RunningServer } from '../../shared/http/serve.js';
import { createLogger, type Logger } from '../../shared/logging/logger.js';
import { startLambdaResourceService } from '../lambda-runtime/lambda-resource-service.js';
import type { LambdaRuntime } from '../lambda-runtime/lambda-runtime-config.js';
import { createObservabilityProvisioner } from './observability-service.js';
import type { ObservabilityServiceConfig } from './observability-service-config.js';

/** The observability microservice over HTTP, on its own Lambda runtime or on a shared one. */
export function startObservabilityService(
  config: ObservabilityServiceConfig,
  logger: Logger = createLogger('observability'),
  runtime?: LambdaRuntime,
): Promise<RunningServer> {
  return startLambdaResourceService(
    'observability',
    config,
    (used) => createObservabilityProvisioner(config, used),
    logger,
    runtime,
  );
}
