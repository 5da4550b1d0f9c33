import { ConfigError } from '../shared/config/env-reader.js';
import { readPlatformOptions, startPlatform } from './platform.js';

/** `npm start`: the platform on its embedded local stack. */
try {
  const options = readPlatformOptions();
  const platform = await startPlatform(options);
  const { endpoints } = platform;
  // Once, after every service's startup log: log entries are written synchronously (createLogger).
  process.stdout.write(
    [
      '',
      'dmp is running on its local stack',
      `  provisioner      ${endpoints.provisioner}`,
      `  state service    ${endpoints.stateService}`,
      `  s3 microservice  ${endpoints.s3Service}`,
      `  event store      ${endpoints.eventStoreService}  (event-store output ports; data plane /v1/events/…)`,
      `  observability    ${endpoints.observabilityService}  (aws-lambda observability endpoints)`,
      `  workload         ${endpoints.workloadService}  (aws-lambda workloads)`,
      `  local Lambda     ${endpoints.lambda}  (published endpoints; invoke API)`,
      `  DynamoDB         ${endpoints.dynamoDb}  (dynalite)`,
      `  S3               ${endpoints.s3}  (s3rver; buckets: ${options.buckets.join(', ')})`,
      `  data folder      ${options.dataDir}`,
      ...(platform.observabilityArtifact
        ? [
            `  observability artifact  s3://${platform.observabilityArtifact.bucket}/${platform.observabilityArtifact.key} (handler ${platform.observabilityArtifact.handler})`,
          ]
        : []),
      '',
      `Admin token (also in ${platform.tokenFile}):`,
      `  export DMP_TOKEN=${platform.adminToken}`,
      '',
      `Try: curl -X POST ${endpoints.provisioner}/v1/dataproduct -H "Authorization: Bearer $DMP_TOKEN" -H 'Content-Type: application/yaml' --data-binary @test/fixtures/thesis-example.yaml`,
      `The whole catalogue (S3 folder, event port, observability endpoint, workload): examples/data-products/orders.yaml`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    platform.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : `dmp failed to start: ${String(error)}`}\n`,
  );
  process.exit(1);
}
