import { resolve } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { uploadDefaultArtifacts } from '../microservices/lambda-runtime/default-artifacts.js';
import { bootstrapTokens, PLATFORM_TOKENS } from '../shared/auth/bootstrap-tokens.js';
import { DynamoTokenStore } from '../shared/auth/dynamo-token-store.js';
import { TokenService } from '../shared/auth/token-service.js';
import { isS3NotFound } from '../shared/aws/aws-errors.js';
import { createDynamoDocumentClient, createS3Client } from '../shared/aws/clients.js';
import { EnvReader } from '../shared/config/env-reader.js';
import { readStateServiceConfig } from '../state-service/state-service-config.js';
import { ensureStateTables, type StateTableNames } from '../state-service/store/state-tables.js';

export interface BootstrapOptions {
  /** Unset: AWS with the default credential chain. */
  dynamoDbEndpoint?: string;
  s3Endpoint?: string;
  region?: string;
  stateTables: StateTableNames;
  tokenTable: string;
  /** Buckets to create when missing. */
  buckets: string[];
  /** Where the tokens are kept (mode 0600); a token still valid there is reused. */
  tokenFile: string;
}

export type PlatformTokenName = keyof typeof PLATFORM_TOKENS;

export function readBootstrapOptions(env: NodeJS.ProcessEnv = process.env): BootstrapOptions {
  const state = readStateServiceConfig(env);
  const reader = new EnvReader(env);
  const dataDir = reader.string('DMP_DATA_DIR', '.dmp-data');
  const options: BootstrapOptions = {
    dynamoDbEndpoint: state.dynamoDbEndpoint,
    s3Endpoint: reader.url('DMP_S3_ENDPOINT'),
    region: state.region,
    stateTables: state.tables,
    tokenTable: state.tokenTable,
    buckets: reader.list('DMP_LOCAL_BUCKETS', ['dmp-datamesh-s3', 'ms-datamesh-s3']),
    tokenFile: resolve(reader.string('DMP_TOKEN_FILE', `${dataDir}/tokens.json`)),
  };
  reader.assertValid();
  return options;
}

/**
 * Prepares a fresh deployment for services started apart: the state and token
 * tables, the buckets, the first admin token and one credential per service,
 * kept in the token file. Run again, it changes nothing: tables and buckets
 * that exist are left alone and valid tokens are reused.
 */
export async function bootstrap(options: BootstrapOptions): Promise<Record<PlatformTokenName, string>> {
  const dynamo = createDynamoDocumentClient(options);
  const s3 = createS3Client(options);
  try {
    await ensureStateTables(dynamo, options.stateTables);
    const store = await DynamoTokenStore.create(dynamo, options.tokenTable);
    for (const bucket of options.buckets) {
      await ensureBucket(s3, bucket);
      // As npm start does: the default observability artifact, readable by every domain from artifacts/.
      await uploadDefaultArtifacts(s3, bucket);
    }
    return await bootstrapTokens(new TokenService(store), PLATFORM_TOKENS, options.tokenFile);
  } finally {
    dynamo.destroy();
    s3.destroy();
  }
}

async function ensureBucket(s3: ReturnType<typeof createS3Client>, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!isS3NotFound(error)) throw error;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

/** Which token each service starts with, and its npm script. */
const SERVICES: { script: string; token?: PlatformTokenName; port: string }[] = [
  { script: 'start:state-service', port: 'DMP_STATE_SERVICE_PORT=8081' },
  { script: 'start:s3', token: 's3', port: 'DMP_S3_SERVICE_PORT=8091' },
  { script: 'start:event-store', token: 'eventStore', port: 'DMP_EVENT_STORE_PORT=8092' },
  { script: 'start:lambda-server', port: 'DMP_LAMBDA_SERVER_PORT=8099' },
  { script: 'start:observability', token: 'observability', port: 'DMP_OBSERVABILITY_PORT=8093' },
  { script: 'start:workload', token: 'workload', port: 'DMP_WORKLOAD_PORT=8094' },
  { script: 'start:provisioner', token: 'provisioner', port: 'DMP_PROVISIONER_PORT=8080' },
];

/**
 * The commands that start each service apart, in order. Service tokens are
 * read from the token file by the command itself: they are never printed.
 */
export function startCommands(options: BootstrapOptions): string[] {
  const endpoints = [
    ...(options.dynamoDbEndpoint ? [`DMP_DYNAMODB_ENDPOINT=${options.dynamoDbEndpoint}`] : []),
    ...(options.s3Endpoint ? [`DMP_S3_ENDPOINT=${options.s3Endpoint}`] : []),
  ];
  return SERVICES.map(({ script, token, port }) =>
    [
      ...endpoints,
      port,
      ...(token
        ? [`DMP_SERVICE_TOKEN="$(node -p "require(${JSON.stringify(options.tokenFile)}).${token}")"`]
        : []),
      `npm run ${script}`,
    ].join(' '),
  );
}
