import { readAuthConfig } from '../../shared/auth/auth-config.js';
import { EnvReader } from '../../shared/config/env-reader.js';
import type { LambdaServiceConfig } from '../lambda-runtime/lambda-resource-service.js';
import { readLambdaRuntimeConfig } from '../lambda-runtime/lambda-runtime-config.js';

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
  const stateServiceUrl = reader.url('DMP_STATE_SERVICE_URL', 'http://127.0.0.1:8081');
  const config: ObservabilityServiceConfig = {
    host: reader.string('DMP_HOST', '127.0.0.1'),
    port: reader.port('DMP_OBSERVABILITY_PORT', 8093),
    stateServiceUrl,
    functionStateServiceUrl: reader.url('DMP_OBSERVABILITY_STATE_SERVICE_URL', stateServiceUrl),
    stateReaderToken: reader.optionalString('DMP_OBSERVABILITY_READER_TOKEN'),
    region: reader.optionalString('AWS_REGION'),
    s3Endpoint: reader.url('DMP_S3_ENDPOINT'),
    dynamoDbEndpoint: reader.url('DMP_DYNAMODB_ENDPOINT'),
    heartbeatMs: reader.integer('DMP_HEARTBEAT_MS', 5_000, { min: 50, max: 600_000 }),
    auth: readAuthConfig(reader),
    lambdaRuntime: readLambdaRuntimeConfig(reader),
  };
  reader.assertValid();
  return config;
}
