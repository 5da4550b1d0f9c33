import { EnvReader } from '../../shared/config/env-reader.js';
import {
  type IamConfig,
  type MicroserviceConfig,
  readIamConfig,
  readMicroserviceConfig,
} from '../../shared/microservice/microservice-config.js';
import { readStorageConfig, type StorageConfig } from '../../shared/storage/storage-config.js';
import { DEFAULT_PORT_REGISTRY_TABLE } from './dynamo-port-registry.js';

export interface EventStoreServiceConfig extends MicroserviceConfig, IamConfig {
  /** Base URL published in each port's info; unset: the URL the service listens on. */
  publicUrl?: string;
  /** Account and region written into the table ARNs of IAM policies; `*` when unset. */
  awsAccountId: string;
  tablePrefix: string;
  registryTable: string;
  bodyLimitBytes: number;
  appendAttempts: number;
  /** Where archive folders are placed, and the folder owners' table (read on delete with removeData). */
  storage: StorageConfig;
}

export const DEFAULT_EVENT_STORE_PORT = 8092;

export function readEventStoreServiceConfig(env: NodeJS.ProcessEnv = process.env): EventStoreServiceConfig {
  const reader = new EnvReader(env);
  const common = readMicroserviceConfig(reader, 'DMP_EVENT_STORE_PORT', DEFAULT_EVENT_STORE_PORT);
  const config: EventStoreServiceConfig = {
    ...common,
    ...readIamConfig(reader, common.dynamoDbEndpoint),
    publicUrl: reader.url('DMP_EVENT_STORE_PUBLIC_URL'),
    awsAccountId: reader.matching('DMP_AWS_ACCOUNT_ID', '*', /^(\*|[0-9]{12})$/, '12 digits or *'),
    tablePrefix: reader.matching(
      'DMP_EVENT_STORE_TABLE_PREFIX',
      'dmp-events',
      /^[A-Za-z0-9_.-]{1,40}$/,
      '1-40 of A-Z a-z 0-9 _ . -',
    ),
    registryTable: reader.string('DMP_EVENT_STORE_REGISTRY_TABLE', DEFAULT_PORT_REGISTRY_TABLE),
    bodyLimitBytes: reader.integer('DMP_EVENT_STORE_BODY_LIMIT_BYTES', 8 * 1024 * 1024, {
      min: 1024,
      max: 64 * 1024 * 1024,
    }),
    appendAttempts: reader.integer('DMP_EVENT_STORE_APPEND_ATTEMPTS', 64, { min: 1, max: 1000 }),
    storage: readStorageConfig(reader),
  };
  reader.assertValid();
  return config;
}
