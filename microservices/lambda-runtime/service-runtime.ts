import type { Logger } from '../../shared/logging/logger.js';
import type { MicroserviceConfig } from '../../shared/microservice/microservice-config.js';
import {
  createLambdaRuntime,
  type LambdaRuntime,
  type LambdaRuntimeConfig,
} from './lambda-runtime-config.js';

/** What every microservice deploying functions is configured with. */
export interface LambdaServiceConfig extends MicroserviceConfig {
  lambdaRuntime: LambdaRuntimeConfig;
}

/**
 * The Lambda runtime of the configured mode, on the configured endpoints.
 * Apart from the HTTP service (lambda-resource-service.ts), so that the
 * microservices' Lambda packages, which start here, carry no express.
 */
export function createServiceRuntime(config: LambdaServiceConfig, logger: Logger): Promise<LambdaRuntime> {
  return createLambdaRuntime(
    config.lambdaRuntime,
    { region: config.region, s3Endpoint: config.s3Endpoint, dynamoDbEndpoint: config.dynamoDbEndpoint },
    logger,
  );
}
