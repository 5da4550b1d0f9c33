import { TokenClient } from '../../shared/auth/token-client.js';
import type { LambdaRuntime } from '../lambda-runtime/lambda-runtime-config.js';
import { FunctionReaderTokens } from './function-reader-tokens.js';
import { ObservabilityProvisioner } from './observability-provisioner.js';
import type { ObservabilityServiceConfig } from './observability-service-config.js';

/**
 * Builds the observability provisioner on a runtime (one runtime may serve
 * several microservices). The functions' tokens are issued at the state
 * service as this service reaches it (`stateServiceUrl`); the functions are
 * told `functionStateServiceUrl`.
 */
export function createObservabilityProvisioner(
  config: ObservabilityServiceConfig,
  runtime: Pick<LambdaRuntime, 'functions' | 'gateway'>,
): ObservabilityProvisioner {
  return new ObservabilityProvisioner(runtime.functions, runtime.gateway, {
    stateServiceUrl: config.functionStateServiceUrl,
    // The service's own credential issues each function's token: it may issue domain readers and nothing else.
    readerTokens: new FunctionReaderTokens(new TokenClient(config.stateServiceUrl, config.auth.serviceToken)),
    placement: config.storagePlacement,
  });
}
