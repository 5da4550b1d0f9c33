import { join } from 'node:path';
import { readS3ServiceConfig } from '../microservices/s3/s3-service-config.js';
import { startS3Service } from '../microservices/s3/start-s3-service.js';
import { readProvisionerConfig } from '../provisioner/provisioner-config.js';
import { startProvisioner } from '../provisioner/start-provisioner.js';
import { bootstrapTokens, PLATFORM_TOKENS } from '../shared/auth/bootstrap-tokens.js';
import { DynamoTokenStore } from '../shared/auth/dynamo-token-store.js';
import { TokenService } from '../shared/auth/token-service.js';
import { createDynamoDocumentClient } from '../shared/aws/clients.js';
import { EnvReader } from '../shared/config/env-reader.js';
import type { RunningServer } from '../shared/http/serve.js';
import { createLogger } from '../shared/logging/logger.js';
import { startStateService } from '../state-service/start-state-service.js';
import { readStateServiceConfig } from '../state-service/state-service-config.js';
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
    provisioner: string;
  };
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
  const started: RunningServer[] = [];
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
    const provisioner = await startProvisioner(
      readProvisionerConfig({ ...serviceEnv, DMP_SERVICE_TOKEN: tokens.provisioner }),
      { logger: createLogger('provisioner'), discoveryEnv: { ...serviceEnv, DMP_S3_URL: s3Service.url } },
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
        provisioner: provisioner.url,
      },
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
