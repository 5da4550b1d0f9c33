import type { Logger } from '../../shared/logging/logger.js';
import { createLambdaRuntime, type LambdaRuntime } from '../lambda-runtime/lambda-runtime-config.js';
import { WorkloadProvisioner } from './workload-provisioner.js';
import type { WorkloadServiceConfig } from './workload-service-config.js';

/** The Lambda runtime the configuration asks for (local or AWS). */
export function createWorkloadRuntime(config: WorkloadServiceConfig, logger: Logger) {
  return createLambdaRuntime(
    config.lambdaRuntime,
    { region: config.region, s3Endpoint: config.s3Endpoint, dynamoDbEndpoint: config.dynamoDbEndpoint },
    logger,
  );
}

/** Builds the workload provisioner on a runtime (one runtime may serve several microservices). */
export function createWorkloadProvisioner(runtime: Pick<LambdaRuntime, 'functions'>): WorkloadProvisioner {
  return new WorkloadProvisioner(runtime.functions);
}
