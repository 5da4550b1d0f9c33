import { LambdaClient } from '@aws-sdk/client-lambda';
import { RemoteTokenVerifier } from '../../shared/auth/verifiers.js';
import { createLogger } from '../../shared/logging/logger.js';
import { createLambdaHandler, LambdaSelfInvokeRunner } from '../../shared/microservice/lambda-handler.js';
import { ResourceUseCases } from '../../shared/microservice/resource-use-cases.js';
import { StateClient } from '../../shared/state/state-client.js';
import { createServiceRuntime } from '../lambda-runtime/service-runtime.js';
import { createObservabilityProvisioner } from './observability-service.js';
import { readObservabilityServiceConfig } from './observability-service-config.js';

/** AWS Lambda entry point of the observability microservice, behind an API Gateway proxy integration. */
const config = readObservabilityServiceConfig();
const logger = createLogger('observability');
const useCases = new ResourceUseCases(
  createObservabilityProvisioner(config, await createServiceRuntime(config, logger)),
  new StateClient(config.stateServiceUrl, {
    token: config.auth.serviceToken,
    timeoutMs: config.stateTimeoutMs,
  }),
  new LambdaSelfInvokeRunner(
    new LambdaClient(config.region ? { region: config.region } : {}),
    process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'dmp-observability',
  ),
  logger,
  { heartbeatMs: config.heartbeatMs },
);

export const handler = createLambdaHandler(
  useCases,
  new RemoteTokenVerifier(config.stateServiceUrl, config.auth.tokenCacheMs, Date.now, config.stateTimeoutMs),
);
