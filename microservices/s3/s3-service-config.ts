import { type AuthConfig, readAuthConfig } from '../../shared/auth/auth-config.js';
import { EnvReader } from '../../shared/config/env-reader.js';
import { DEFAULT_LOCAL_IAM_TABLE } from '../../shared/iam/local-role-grants.js';

export interface S3ServiceConfig {
  host: string;
  port: number;
  stateServiceUrl: string;
  region?: string;
  /** Unset: AWS S3 with the default credential chain. */
  s3Endpoint?: string;
  /** `local` keeps role policies in a DynamoDB table of the local stack instead of IAM. */
  iamMode: 'aws' | 'local';
  dynamoDbEndpoint?: string;
  localIamTable: string;
  heartbeatMs: number;
  auth: AuthConfig;
}

export function readS3ServiceConfig(env: NodeJS.ProcessEnv = process.env): S3ServiceConfig {
  const reader = new EnvReader(env);
  const dynamoDbEndpoint = reader.url('DMP_DYNAMODB_ENDPOINT');
  const config: S3ServiceConfig = {
    host: reader.string('DMP_HOST', '127.0.0.1'),
    port: reader.port('DMP_S3_SERVICE_PORT', 8091),
    stateServiceUrl: reader.url('DMP_STATE_SERVICE_URL', 'http://127.0.0.1:8081'),
    region: reader.optionalString('AWS_REGION'),
    s3Endpoint: reader.url('DMP_S3_ENDPOINT'),
    iamMode: reader.oneOf('DMP_IAM_MODE', ['aws', 'local'], dynamoDbEndpoint ? 'local' : 'aws'),
    dynamoDbEndpoint,
    localIamTable: reader.string('DMP_LOCAL_IAM_TABLE', DEFAULT_LOCAL_IAM_TABLE),
    heartbeatMs: reader.integer('DMP_HEARTBEAT_MS', 5_000, { min: 50, max: 600_000 }),
    auth: readAuthConfig(reader),
  };
  reader.assertValid();
  return config;
}
