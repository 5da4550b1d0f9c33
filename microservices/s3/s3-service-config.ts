import { EnvReader } from '../../shared/config/env-reader.js';
import {
  type IamConfig,
  type MicroserviceConfig,
  readIamConfig,
  readMicroserviceConfig,
} from '../../shared/microservice/microservice-config.js';
import { readStorageConfig, type StorageConfig } from '../../shared/storage/storage-config.js';

export type S3ServiceConfig = MicroserviceConfig & IamConfig & { storage: StorageConfig };

export function readS3ServiceConfig(env: NodeJS.ProcessEnv = process.env): S3ServiceConfig {
  const reader = new EnvReader(env);
  const common = readMicroserviceConfig(reader, 'DMP_S3_SERVICE_PORT', 8091);
  const config: S3ServiceConfig = {
    ...common,
    ...readIamConfig(reader, common.dynamoDbEndpoint),
    storage: readStorageConfig(reader),
  };
  reader.assertValid();
  return config;
}
