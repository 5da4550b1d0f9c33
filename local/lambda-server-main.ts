import { EnvReader } from '../shared/config/env-reader.js';
import { runService } from '../shared/http/run-service.js';
import { createLogger } from '../shared/logging/logger.js';
import { startLocalLambda } from './local-lambda.js';

/**
 * The local Lambda server alone (`npm run start:lambda-server`), for
 * observability and workload microservices started alone in local mode: they
 * share its function and route tables in the local DynamoDB.
 */
await runService('local Lambda server', async () => {
  const reader = new EnvReader(process.env);
  const endpoints = {
    dynamoDbEndpoint: reader.require('DMP_DYNAMODB_ENDPOINT', 'is required: the local DynamoDB (dynalite)'),
    s3Endpoint: reader.require('DMP_S3_ENDPOINT', 'is required: the local S3 (s3rver)'),
  };
  const stateServiceUrl = reader.url('DMP_STATE_SERVICE_URL', 'http://127.0.0.1:8081') as string;
  reader.assertValid();
  const lambda = await startLocalLambda(process.env, endpoints, stateServiceUrl, createLogger('lambda'));
  return { ...lambda.server, close: lambda.close };
});
