import { type AuthConfig, readAuthConfig } from '../../shared/auth/auth-config.js';
import { ConfigError, EnvReader } from '../../shared/config/env-reader.js';
import { DEFAULT_LOCAL_IAM_TABLE } from '../../shared/iam/local-role-grants.js';
import { DEFAULT_PORT_REGISTRY_TABLE } from './dynamo-port-registry.js';

export interface EventStoreServiceConfig {
  host: string;
  port: number;
  /** Base URL published in each port's info; unset: the URL the service listens on. */
  publicUrl?: string;
  stateServiceUrl: string;
  region?: string;
  /** Unset: AWS DynamoDB with the default credential chain. */
  dynamoDbEndpoint?: string;
  /** Unset: AWS S3 (the archive and claim checks). */
  s3Endpoint?: string;
  iamMode: 'aws' | 'local';
  localIamTable: string;
  /** Account and region written into the table ARNs of IAM policies; `*` when unset. */
  awsAccountId: string;
  tablePrefix: string;
  registryTable: string;
  bodyLimitBytes: number;
  appendAttempts: number;
  heartbeatMs: number;
  auth: AuthConfig;
}

export const DEFAULT_EVENT_STORE_PORT = 8092;

export function readEventStoreServiceConfig(env: NodeJS.ProcessEnv = process.env): EventStoreServiceConfig {
  const reader = new EnvReader(env);
  const dynamoDbEndpoint = reader.url('DMP_DYNAMODB_ENDPOINT');
  const host = reader.string('DMP_HOST', '127.0.0.1');
  const port = reader.port('DMP_EVENT_STORE_PORT', DEFAULT_EVENT_STORE_PORT);
  const config: EventStoreServiceConfig = {
    host,
    port,
    publicUrl: reader.url('DMP_EVENT_STORE_PUBLIC_URL'),
    stateServiceUrl: reader.url('DMP_STATE_SERVICE_URL', 'http://127.0.0.1:8081'),
    region: reader.optionalString('AWS_REGION'),
    dynamoDbEndpoint,
    s3Endpoint: reader.url('DMP_S3_ENDPOINT'),
    iamMode: reader.oneOf('DMP_IAM_MODE', ['aws', 'local'], dynamoDbEndpoint ? 'local' : 'aws'),
    localIamTable: reader.string('DMP_LOCAL_IAM_TABLE', DEFAULT_LOCAL_IAM_TABLE),
    awsAccountId: reader.string('DMP_AWS_ACCOUNT_ID', '*'),
    tablePrefix: reader.string('DMP_EVENT_STORE_TABLE_PREFIX', 'dmp-events'),
    registryTable: reader.string('DMP_EVENT_STORE_REGISTRY_TABLE', DEFAULT_PORT_REGISTRY_TABLE),
    bodyLimitBytes: reader.integer('DMP_EVENT_STORE_BODY_LIMIT_BYTES', 8 * 1024 * 1024, {
      min: 1024,
      max: 64 * 1024 * 1024,
    }),
    appendAttempts: reader.integer('DMP_EVENT_STORE_APPEND_ATTEMPTS', 64, { min: 1, max: 1000 }),
    heartbeatMs: reader.integer('DMP_HEARTBEAT_MS', 5_000, { min: 50, max: 600_000 }),
    auth: readAuthConfig(reader),
  };
  const problems: string[] = [];
  if (!/^(\*|[0-9]{12})$/.test(config.awsAccountId)) {
    problems.push(`DMP_AWS_ACCOUNT_ID=${config.awsAccountId} must be 12 digits or *`);
  }
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(config.tablePrefix)) {
    problems.push(`DMP_EVENT_STORE_TABLE_PREFIX=${config.tablePrefix} must be 1-40 of A-Z a-z 0-9 _ . -`);
  }
  try {
    reader.assertValid();
  } catch (error) {
    throw new ConfigError([(error as Error).message, ...problems].join('\n  - '));
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
