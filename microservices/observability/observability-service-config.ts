import { EnvReader } from '../../shared/config/env-reader.js';
import { readMicroserviceConfig } from '../../shared/microservice/microservice-config.js';
import { readLambdaRuntimeConfig } from '../lambda-runtime/lambda-runtime-config.js';
import type { LambdaServiceConfig } from '../lambda-runtime/service-runtime.js';

export interface ObservabilityServiceConfig extends LambdaServiceConfig {
  /** The state service as the deployed endpoint functions reach it (default: stateServiceUrl). */
  functionStateServiceUrl: string;
  /** A reader token handed to the endpoint functions as DMP_STATE_TOKEN; unset: none. */
  stateReaderToken?: string;
}

export function readObservabilityServiceConfig(
  env: NodeJS.ProcessEnv = process.env,
): ObservabilityServiceConfig {
  const reader = new EnvReader(env);
  const common = readMicroserviceConfig(reader, 'DMP_OBSERVABILITY_PORT', 8093);
  const config: ObservabilityServiceConfig = {
    ...common,
    functionStateServiceUrl: reader.url('DMP_OBSERVABILITY_STATE_SERVICE_URL', common.stateServiceUrl),
    stateReaderToken: reader.optionalString('DMP_OBSERVABILITY_READER_TOKEN'),
    lambdaRuntime: readLambdaRuntimeConfig(reader),
  };
  reader.assertValid();
  return config;
}
