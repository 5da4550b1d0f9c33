import { readAuthConfig } from '../../shared/auth/auth-config.js';
import { EnvReader } from '../../shared/config/env-reader.js';
import type { LambdaServiceConfig } from '../lambda-runtime/lambda-resource-service.js';
import { readLambdaRuntimeConfig } from '../lambda-runtime/lambda-runtime-config.js';

export type WorkloadServiceConfig = LambdaServiceConfig;

export function readWorkloadServiceConfig(env: NodeJS.ProcessEnv = process.env): WorkloadServiceConfig {
  const reader = new EnvReader(env);
  const config: WorkloadServiceConfig = {
    host: reader.string('DMP_HOST', '127.0.0.1'),
    port: reader.port('DMP_WORKLOAD_PORT', 8094),
    stateServiceUrl: reader.url('DMP_STATE_SERVICE_URL', 'http://127.0.0.1:8081'),
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
