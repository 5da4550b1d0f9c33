import type { Logger } from '../../shared/logging/logger.js';
import { createLambdaRuntime, type LambdaRuntime } from '../lambda-runtime/lambda-runtime-config.js';
import { ObservabilityProvisioner } from './observability-provisioner.js';
import type { ObservabilityServiceConfig } from './observability-service-config.js';

/** The Lambda runtime the configuration asks for (local or AWS). */
export function createObservabilityRuntime(config: ObservabilityServiceConfig, logger: Logger) {
  return createLambdaRuntime(
    config.lambdaRuntime,
    { region: config.region, s3Endpoint: config.s3Endpoint, dynamoDbEndpoint: config.dynamoDbEndpoint },
    logger,
  );
}

/** Builds the observability provisioner on a runtime (one runtime may serve several microservices). */
export function createObservabilityProvisioner(
  config: ObservabilityServiceConfig,
  runtime: Pick<LambdaRuntime, 'functions' | 'gateway'>,
): ObservabilityProvisioner {
  return new ObservabilityProvisioner(runtime.functions, runtime.gateway, {
    stateServiceUrl: config.functionStateServiceUrl,
    stateReaderToken: config.stateReaderToken,
  });
}
