import { EnvReader } from '../../shared/config/env-reader.js';
import { readMicroserviceConfig } from '../../shared/microservice/microservice-config.js';
import { readLambdaRuntimeConfig } from '../lambda-runtime/lambda-runtime-config.js';
import type { LambdaServiceConfig } from '../lambda-runtime/service-runtime.js';

export type WorkloadServiceConfig = LambdaServiceConfig;

export function readWorkloadServiceConfig(env: NodeJS.ProcessEnv = process.env): WorkloadServiceConfig {
  const reader = new EnvReader(env);
  const config: WorkloadServiceConfig = {
    ...readMicroserviceConfig(reader, 'DMP_WORKLOAD_PORT', 8094),
    lambdaRuntime: readLambdaRuntimeConfig(reader),
  };
  reader.assertValid();
  return config;
}
