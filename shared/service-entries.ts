/**
 * Every service one process can run, by the name the container image's
 * command takes (`docker run dmp state-service`): its entry module, relative
 * to the compiled `dist/` (or the sources, under tsx), and the variable of its
 * own port, which `DMP_PORT` fills in when unset.
 */
export const SERVICE_ENTRIES = {
  provisioner: { entry: 'provisioner/main.js', portVariable: 'DMP_PROVISIONER_PORT' },
  'state-service': { entry: 'state-service/main.js', portVariable: 'DMP_STATE_SERVICE_PORT' },
  s3: { entry: 'microservices/s3/main.js', portVariable: 'DMP_S3_SERVICE_PORT' },
  'event-store': { entry: 'microservices/event-store/main.js', portVariable: 'DMP_EVENT_STORE_PORT' },
  observability: { entry: 'microservices/observability/main.js', portVariable: 'DMP_OBSERVABILITY_PORT' },
  workload: { entry: 'microservices/workload/main.js', portVariable: 'DMP_WORKLOAD_PORT' },
  'lambda-server': { entry: 'local/lambda-server-main.js', portVariable: 'DMP_LAMBDA_SERVER_PORT' },
} as const;

export type ServiceName = keyof typeof SERVICE_ENTRIES;

export function isServiceName(name: string | undefined): name is ServiceName {
  return name !== undefined && Object.hasOwn(SERVICE_ENTRIES, name);
}
