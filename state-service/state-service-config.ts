import { type AuthConfig, readAuthConfig } from '../shared/auth/auth-config.js';
import { DEFAULT_TOKEN_TABLE } from '../shared/auth/dynamo-token-store.js';
import { EnvReader } from '../shared/config/env-reader.js';
import { readServerLimits, type ServerLimits } from '../shared/http/server-limits.js';
import { DEFAULT_STATE_TABLES, type StateTableNames } from './store/state-tables.js';

export interface StateServiceConfig {
  host: string;
  port: number;
  /** Unset: AWS with the default credential chain and region. */
  dynamoDbEndpoint?: string;
  region?: string;
  tables: StateTableNames;
  createTables: boolean;
  tokenTable: string;
  /** How long this service trusts a token it verified against the token table (0: read it every time). */
  verifiedTokenTtlMs?: number;
  /** Signs listing cursors; unset: a random key per process (replicas then refuse each other's cursors). */
  cursorKey?: string;
  auth: AuthConfig;
  /** Timeouts and connection cap of its HTTP server. */
  serverLimits?: ServerLimits;
}

export function readStateServiceConfig(env: NodeJS.ProcessEnv = process.env): StateServiceConfig {
  const reader = new EnvReader(env);
  const config: StateServiceConfig = {
    host: reader.string('DMP_HOST', '127.0.0.1'),
    port: reader.port('DMP_STATE_SERVICE_PORT', 8081),
    dynamoDbEndpoint: reader.url('DMP_DYNAMODB_ENDPOINT'),
    region: reader.optionalString('AWS_REGION'),
    tables: {
      dataProducts: reader.string('DMP_DATAPRODUCT_TABLE', DEFAULT_STATE_TABLES.dataProducts),
      resources: reader.string('DMP_RESOURCE_TABLE', DEFAULT_STATE_TABLES.resources),
      history: reader.string('DMP_HISTORY_TABLE', DEFAULT_STATE_TABLES.history),
    },
    createTables: reader.oneOf('DMP_CREATE_TABLES', ['true', 'false'], 'true') === 'true',
    tokenTable: reader.string('DMP_TOKEN_TABLE', DEFAULT_TOKEN_TABLE),
    verifiedTokenTtlMs: reader.integer('DMP_STATE_TOKEN_CACHE_MS', 1_000, { min: 0, max: 60_000 }),
    cursorKey: reader.optionalSecret('DMP_STATE_CURSOR_KEY', 32),
    auth: readAuthConfig(reader),
    serverLimits: readServerLimits(reader),
  };
  reader.assertValid();
  return config;
}
