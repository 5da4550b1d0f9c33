import { LambdaClient } from '@aws-sdk/client-lambda';
import { RemoteTokenVerifier } from '../../shared/auth/verifiers.js';
import { createLogger } from '../../shared/logging/logger.js';
import { createLambdaHandler, LambdaSelfInvokeRunner } from '../../shared/microservice/lambda-handler.js';
import { ResourceUseCases } from '../../shared/microservice/resource-use-cases.js';
import { StateClient } from '../../shared/state/state-client.js';
import { createEventStoreParts } from './event-store-service.js';
import { readEventStoreServiceConfig } from './event-store-service-config.js';

/**
 * AWS Lambda entry point of the event-store provisioning contract, behind an
 * API Gateway proxy integration. The events data plane is served by the HTTP
 * service (main.ts); it is not exposed through this handler.
 */
const config = readEventStoreServiceConfig();
const { provisioner } = await createEventStoreParts(config);
const useCases = new ResourceUseCases(
  provisioner,
  new StateClient(config.stateServiceUrl, {
    token: config.auth.serviceToken,
    timeoutMs: config.stateTimeoutMs,
  }),
  new LambdaSelfInvokeRunner(new LambdaClient({}), process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'dmp-event-store'),
  createLogger('event-store'),
  { heartbeatMs: config.heartbeatMs },
);

export const handler = createLambdaHandler(
  useCases,
  new RemoteTokenVerifier(config.stateServiceUrl, config.auth.tokenCacheMs, Date.now, config.stateTimeoutMs),
);
