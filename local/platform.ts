import { join } from 'node:path';
import { readEventStoreServiceConfig } from '../microservices/event-store/event-store-service-config.js';
import { startEventStoreService } from '../microservices/event-store/start-event-store-service.js';
import { uploadDefaultArtifacts } from '../microservices/lambda-runtime/default-artifacts.js';
import { readObservabilityServiceConfig } from '../microservices/observability/observability-service-config.js';
import { startObservabilityService } from '../microservices/observability/start-observability-service.js';
import { readS3ServiceConfig } from '../microservices/s3/s3-service-config.js';
import { startS3Service } from '../microservices/s3/start-s3-service.js';
import { startWorkloadService } from '../microservices/workload/start-workload-service.js';
import { readWorkloadServiceConfig } from '../microservices/workload/workload-service-config.js';
import { readProvisionerConfig } from '../provisioner/provisioner-config.js';
import { startProvisioner } from '../provisioner/start-provisioner.js';
import { bootstrapTokens, PLATFORM_TOKENS } from '../shared/auth/bootstrap-tokens.js';
import { DynamoTokenStore } from '../shared/auth/dynamo-token-store.js';
import { TokenService } from '../shared/auth/token-service.js';
import { createDynamoDocumentClient, createS3Client } from '../shared/aws/clients.js';
import { EnvReader } from '../shared/config/env-reader.js';
import type { RunningServer } from '../shared/http/serve.js';
import { createLogger } from '../shared/logging/logger.js';
import { startStateService } from '../state-service/start-state-service.js';
import { readStateServiceConfig } from '../state-service/state-service-config.js';
import { startLocalLambda } from './local-lambda.js';
import { startLocalStack } from './local-stack.js';

export interface PlatformOptions {
  host: string;
  dataDir: string;
  buckets: string[];
  dynamoDbPort: number;
  s3Port: number;
  /** Service configuration comes from these variables, as when each service starts alone. */
  env: NodeJS.ProcessEnv;
}

export interface Platform {
  /** The local admin token: printed at start, kept in the data folder. */
  adminToken: string;
  tokenFile: string;
  endpoints: {
    dynamoDb: string;
    s3: string;
    stateService: string;
    s3Service: string;
    eventStoreService: string;
    observabilityService: string;
    workloadService: string;
    /** The local Lambda server: observability endpoints' URLs and the invoke API. */
    lambda: string;
    provisioner: string;
  };
  /** Where the default observability artifact was uploaded (to every local bucket; this is the first). */
  observabilityArtifact?: { bucket: string; key: string; handler: string };
  close(): Promise<void>;
}

export function readPlatformOptions(env: NodeJS.ProcessEnv = process.env): PlatformOptions {
  const reader = new EnvReader(env);
  const options: PlatformOptions = {
    host: reader.string('DMP_HOST', '127.0.0.1'),
    dataDir: reader.string('DMP_DATA_DIR', '.dmp-data'),
    buckets: reader.list('DMP_LOCAL_BUCKETS', ['dmp-datamesh-s3', 'ms-datamesh-s3']),
    dynamoDbPort: reader.port('DMP_DYNAMODB_PORT', 8000),
    s3Port: reader.port('DMP_S3_PORT', 4568),
    env,
  };
  reader.assertValid();
  return options;
}

/**
 * The whole platform in one process: the local stack, then every service on
 * its own port. Services talk to each other only over HTTP, exactly as when
 * each is deployed alone.
 */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const stack = await startLocalStack({
    host: options.host,
    dataDir: options.dataDir,
    buckets: options.buckets,
    dynamoDbPort: options.dynamoDbPort,
    s3Port: options.s3Port,
  });
  const started: Pick<RunningServer, 'close'>[] = [];
  const closeAll = async () => {
    for (const server of started.reverse()) await server.close();
    await stack.close();
  };
  try {
    const localEnv = {
      ...options.env,
      DMP_HOST: options.host,
      DMP_DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
      DMP_S3_ENDPOINT: stack.s3Endpoint,
      DMP_IAM_MODE: 'local',
      DMP_LAMBDA_MODE: 'local',
      DMP_LAMBDA_CODE_DIR: options.env.DMP_LAMBDA_CODE_DIR ?? join(options.dataDir, 'lambda'),
      // One stable owner name: a restarted `npm start` takes its unfinished operations back at once.
      DMP_INSTANCE_ID: options.env.DMP_INSTANCE_ID ?? 'local-platform',
    };
    const stateConfig = readStateServiceConfig(localEnv);
    const stateService = await startStateService(stateConfig, createLogger('state-service'));
    started.push(stateService);
    const tokens = await bootstrapLocalTokens(
      stack.dynamoDbEndpoint,
      stateConfig.tokenTable,
      options.dataDir,
    );
    const serviceEnv = { ...localEnv, DMP_STATE_SERVICE_URL: stateService.url };
    const s3Service = await startS3Service(
      readS3ServiceConfig({ ...serviceEnv, DMP_SERVICE_TOKEN: tokens.s3 }),
      createLogger('s3'),
    );
    started.push(s3Service);
    const eventStore = await startEventStoreService(
      readEventStoreServiceConfig({ ...serviceEnv, DMP_SERVICE_TOKEN: tokens.eventStore }),
      createLogger('event-store'),
    );
    started.push(eventStore);
    const endpoints = { dynamoDbEndpoint: stack.dynamoDbEndpoint, s3Endpoint: stack.s3Endpoint };
    const lambda = await startLocalLambda(serviceEnv, endpoints, stateService.url, createLogger('lambda'));
    started.push(lambda);
    const observability = await startObservabilityService(
      readObservabilityServiceConfig({ ...serviceEnv, DMP_SERVICE_TOKEN: tokens.observability }),
      createLogger('observability'),
      lambda.runtime,
    );
    started.push(observability);
    const workload = await startWorkloadService(
      readWorkloadServiceConfig({ ...serviceEnv, DMP_SERVICE_TOKEN: tokens.workload }),
      createLogger('workload'),
      lambda.runtime,
    );
    started.push(workload);
    const s3 = createS3Client(endpoints);
    const uploads = [];
    for (const bucket of options.buckets) uploads.push(await uploadDefaultArtifacts(s3, bucket));
    s3.destroy();
    const artifact = uploads[0];
    const provisioner = await startProvisioner(
      readProvisionerConfig({ ...serviceEnv, DMP_SERVICE_TOKEN: tokens.provisioner }),
      {
        logger: createLogger('provisioner'),
        discoveryEnv: {
          ...serviceEnv,
          DMP_S3_URL: s3Service.url,
          DMP_EVENT_STORE_URL: eventStore.url,
          DMP_OBSERVABILITY_URL: observability.url,
          DMP_WORKLOAD_URL: workload.url,
        },
      },
    );
    started.push(provisioner);
    return {
      adminToken: tokens.admin,
      tokenFile: join(options.dataDir, TOKEN_FILE),
      endpoints: {
        dynamoDb: stack.dynamoDbEndpoint,
        s3: stack.s3Endpoint,
        stateService: stateService.url,
        s3Service: s3Service.url,
        eventStoreService: eventStore.url,
        observabilityService: observability.url,
        workloadService: workload.url,
        lambda: lambda.server.url,
        provisioner: provisioner.url,
      },
      ...(artifact
        ? {
            observabilityArtifact: {
              bucket: artifact.bucket,
              key: artifact.zipKey,
              handler: artifact.handler,
            },
          }
        : {}),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

const TOKEN_FILE = 'tokens.json';

/** The local admin token and each service's credential: issued on first start, reused after. */
async function bootstrapLocalTokens(dynamoDbEndpoint: string, tokenTable: string, dataDir: string) {
  const store = await DynamoTokenStore.create(createDynamoDocumentClient({ dynamoDbEndpoint }), tokenTable);
  return bootstrapTokens(new TokenService(store), PLATFORM_TOKENS, join(dataDir, TOKEN_FILE));
}
