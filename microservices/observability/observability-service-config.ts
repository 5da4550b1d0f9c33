import { EnvReader } from '../../shared/config/env-reader.js';
import { readMicroserviceConfig } from '../../shared/microservice/microservice-config.js';
import { readStoragePlacement } from '../../shared/storage/storage-config.js';
import type { StoragePlacement } from '../../shared/storage/storage-placement.js';
import { readLambdaRuntimeConfig } from '../lambda-runtime/lambda-runtime-config.js';
import type { LambdaServiceConfig } from '../lambda-runtime/service-runtime.js';

export interface ObservabilityServiceConfig extends LambdaServiceConfig {
  /** The state service as the deployed endpoint functions reach it (default: stateServiceUrl). */
  functionStateServiceUrl: string;
  /** Which artifact keys a data product may run (its own root's, or a platform prefix's). */
  storagePlacement: StoragePlacement;
}

export function readObservabilityServiceConfig(
  env: NodeJS.ProcessEnv = process.env,
): ObservabilityServiceConfig {
  const reader = new EnvReader(env);
  const common = readMicroserviceConfig(reader, 'DMP_OBSERVABILITY_PORT', 8093);
  const config: ObservabilityServiceConfig = {
    ...common,
    functionStateServiceUrl: reader.url('DMP_OBSERVABILITY_STATE_SERVICE_URL', common.stateServiceUrl),
    lambdaRuntime: readLambdaRuntimeConfig(reader),
    storagePlacement: readStoragePlacement(reader),
  };
  reader.assertValid();
  return config;
}
