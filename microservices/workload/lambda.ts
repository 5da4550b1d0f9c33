import { LambdaClient } from '@aws-sdk/client-lambda';
import { RemoteTokenVerifier } from '../../shared/auth/verifiers.js';
import { createLogger } from '../../shared/logging/logger.js';
import { createLambdaHandler, LambdaSelfInvokeRunner } from '../../shared/microservice/lambda-handler.js';
import { ResourceUseCases } from '../../shared/microservice/resource-use-cases.js';
import { StateClient } from '../../shared/state/state-client.js';
import { createServiceRuntime } from '../lambda-runtime/service-runtime.js';
import { createWorkloadProvisioner } from './workload-service.js';
import { readWorkloadServiceConfig } from './workload-service-config.js';

/** AWS Lambda entry point of the workload microservice, behind an API Gateway proxy integration. */
const config = readWorkloadServiceConfig();
const logger = createLogger('workload');
const useCases = new ResourceUseCases(
  createWorkloadProvisioner(config, await createServiceRuntime(config, logger)),
  new StateClient(config.stateServiceUrl, {
    token: config.auth.serviceToken,
    timeoutMs: config.stateTimeoutMs,
  }),
  new LambdaSelfInvokeRunner(
    new LambdaClient(config.region ? { region: config.region } : {}),
    process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'dmp-workload',
  ),
  logger,
  { heartbeatMs: config.heartbeatMs },
);

export const handler = createLambdaHandler(
  useCases,
  new RemoteTokenVerifier(config.stateServiceUrl, config.auth.tokenCacheMs, Date.now, config.stateTimeoutMs),
);
