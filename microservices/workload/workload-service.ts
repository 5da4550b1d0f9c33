import type { LambdaRuntime } from '../lambda-runtime/lambda-runtime-config.js';
import { WorkloadProvisioner } from './workload-provisioner.js';
import type { WorkloadServiceConfig } from './workload-service-config.js';

/** Builds the workload provisioner on a runtime (one runtime may serve several microservices). */
export function createWorkloadProvisioner(
  config: Pick<WorkloadServiceConfig, 'storagePlacement'>,
  runtime: Pick<LambdaRuntime, 'functions'>,
): WorkloadProvisioner {
  return new WorkloadProvisioner(runtime.functions, {
    functionPrefix: 'dmp-wl',
    placement: config.storagePlacement,
  });
}
