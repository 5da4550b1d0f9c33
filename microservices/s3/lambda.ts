import { LambdaClient } from '@aws-sdk/client-lambda';
import { RemoteTokenVerifier } from '../../shared/auth/verifiers.js';
import { createLogger } from '../../shared/logging/logger.js';
import { createLambdaHandler, LambdaSelfInvokeRunner } from '../../shared/microservice/lambda-handler.js';
import { ResourceUseCases } from '../../shared/microservice/resource-use-cases.js';
import { StateClient } from '../../shared/state/state-client.js';
import { createS3Provisioner } from './s3-service.js';
import { readS3ServiceConfig } from './s3-service-config.js';

/** AWS Lambda entry point of the S3 microservice, behind an API Gateway proxy integration. */
const config = readS3ServiceConfig();
const useCases = new ResourceUseCases(
  await createS3Provisioner(config),
  new StateClient(config.stateServiceUrl, {
    token: config.auth.serviceToken,
    timeoutMs: config.stateTimeoutMs,
  }),
  new LambdaSelfInvokeRunner(new LambdaClient({}), process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'dmp-s3'),
  createLogger('s3'),
  { heartbeatMs: config.heartbeatMs },
);

export const handler = createLambdaHandler(
  useCases,
  new RemoteTokenVerifier(config.stateServiceUrl, config.auth.tokenCacheMs, Date.now, config.stateTimeoutMs),
);
