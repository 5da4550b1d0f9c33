import { EnvReader } from '../../shared/config/env-reader.js';
import { readMicroserviceConfig } from '../../shared/microservice/microservice-config.js';
import { readStoragePlacement } from '../../shared/storage/storage-config.js';
import type { StoragePlacement } from '../../shared/storage/storage-placement.js';
import { readLambdaRuntimeConfig } from '../lambda-runtime/lambda-runtime-config.js';
import type { LambdaServiceConfig } from '../lambda-runtime/service-runtime.js';

export interface WorkloadServiceConfig extends LambdaServiceConfig {
  /** Which artifact keys a data product may run (its own root's, or a platform prefix's). */
  storagePlacement: StoragePlacement;
}

export function readWorkloadServiceConfig(env: NodeJS.ProcessEnv = process.env): WorkloadServiceConfig {
  const reader = new EnvReader(env);
  const config: WorkloadServiceConfig = {
    ...readMicroserviceConfig(reader, 'DMP_WORKLOAD_PORT', 8094),
    lambdaRuntime: readLambdaRuntimeConfig(reader),
    storagePlacement: readStoragePlacement(reader),
  };
  reader.assertValid();
  return config;
}
