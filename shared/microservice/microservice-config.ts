import { type AuthConfig, readAuthConfig } from '../auth/auth-config.js';
import type { EnvReader } from '../config/env-reader.js';
import { readServerLimits, type ServerLimits } from '../http/server-limits.js';
import { DEFAULT_LOCAL_IAM_TABLE } from '../iam/local-role-grants.js';
import { readStateTimeout } from '../state/state-client.js';

/** What every microservice reads alike: where it listens, the state service, the AWS endpoints, its credential. */
export interface MicroserviceConfig {
  host: string;
  port: number;
  stateServiceUrl: string;
  region?: string;
  /** Unset: AWS S3 with the default credential chain. */
  s3Endpoint?: string;
  /** Unset: AWS DynamoDB with the default credential chain. */
  dynamoDbEndpoint?: string;
  /** How often work in progress tells the state service it is alive. */
  heartbeatMs: number;
  /** Longest one call to the state service may take, retries included. */
  stateTimeoutMs?: number;
  auth: AuthConfig;
  /** Timeouts and connection cap of its HTTP server. */
  serverLimits?: ServerLimits;
}

/** Reads the common part; the microservice's own port variable and default tell the services apart. */
export function readMicroserviceConfig(
  reader: EnvReader,
  portVariable: string,
  defaultPort: number,
): MicroserviceConfig {
  return {
    host: reader.string('DMP_HOST', '127.0.0.1'),
    port: reader.port(portVariable, defaultPort),
    stateServiceUrl: reader.url('DMP_STATE_SERVICE_URL', 'http://127.0.0.1:8081'),
    region: reader.optionalString('AWS_REGION'),
    s3Endpoint: reader.url('DMP_S3_ENDPOINT'),
    dynamoDbEndpoint: reader.url('DMP_DYNAMODB_ENDPOINT'),
    heartbeatMs: reader.integer('DMP_HEARTBEAT_MS', 5_000, { min: 50, max: 600_000 }),
    stateTimeoutMs: readStateTimeout(reader),
    auth: readAuthConfig(reader),
    serverLimits: readServerLimits(reader),
  };
}

export interface IamConfig {
  /** `local` keeps role policies in a DynamoDB table of the local stack instead of IAM. */
  iamMode: 'aws' | 'local';
  localIamTable: string;
}

/** Where grants go: IAM on AWS, or a table of the local stack (the default when DynamoDB is local). */
export function readIamConfig(reader: EnvReader, dynamoDbEndpoint: string | undefined): IamConfig {
  return {
    iamMode: reader.oneOf('DMP_IAM_MODE', ['aws', 'local'], dynamoDbEndpoint ? 'local' : 'aws'),
    localIamTable: reader.string('DMP_LOCAL_IAM_TABLE', DEFAULT_LOCAL_IAM_TABLE),
  };
}
