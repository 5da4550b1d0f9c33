import type { LambdaRuntime } from '../lambda-runtime/lambda-runtime-config.js';
import { ObservabilityProvisioner } from './observability-provisioner.js';
import type { ObservabilityServiceConfig } from './observability-service-config.js';

/** Builds the observability provisioner on a runtime (one runtime may serve several microservices). */
export function createObservabilityProvisioner(
  config: ObservabilityServiceConfig,
  runtime: Pick<LambdaRuntime, 'functions' | 'gateway'>,
): ObservabilityProvisioner {
  return new ObservabilityProvisioner(runtime.functions, runtime.gateway, {
    stateServiceUrl: config.functionStateServiceUrl,
    stateReaderToken: config.stateReaderToken,
    placement: config.storagePlacement,
  });
}
