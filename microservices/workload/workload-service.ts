import type { LambdaRuntime } from '../lambda-runtime/lambda-runtime-config.js';
import { WorkloadProvisioner } from './workload-provisioner.js';

/** Builds the workload provisioner on a runtime (one runtime may serve several microservices). */
export function createWorkloadProvisioner(runtime: Pick<LambdaRuntime, 'functions'>): WorkloadProvisioner {
  return new WorkloadProvisioner(runtime.functions);
}
